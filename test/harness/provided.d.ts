// Values that test/harness/global-setup.ts hands to integration test files via `inject(...)`.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://gatehouse:<pw>@127.0.0.1:<port>/gatehouse — the role may CREATE DATABASE (see createTestDatabase). */
    postgresUrl: string;
    /** amqp://gatehouse-test:<pw>@127.0.0.1:<port> */
    amqpUrl: string;
    amqpManagementPort: number;
    rabbitUser: string;
    rabbitPassword: string;
  }
}
