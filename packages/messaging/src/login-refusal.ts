import { connectionTarget } from './connection.js';

const codeOf = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Why the broker turned this client away for good (wrong user or password, a vhost it may not
 * use), or undefined for failures that retrying can fix. rabbitmq-client reports a refused
 * login as "failed to connect in time", with the broker's reason only in `cause`.
 */
export function amqpLoginRefusal(err: unknown, urls: string[]): string | undefined {
  const { username, vhost } = connectionTarget(urls);
  switch (codeOf(err)) {
    case 'ACCESS_REFUSED':
      return `RabbitMQ refused the login for user ${username}: check AMQP_URL`;
    case 'NOT_ALLOWED':
      return `RabbitMQ refused user ${username} access to vhost ${vhost}: check AMQP_URL`;
    default:
      return undefined;
  }
}
