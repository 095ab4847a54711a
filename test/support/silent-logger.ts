import { pino } from 'pino';

/** Tests keep the services' logs out of the reporter unless LOG_LEVEL asks for them. */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
