import { surviveNullSocketWrites } from '@gatehouse/database';
import { createLogger, exitOnStartupError, loadConfigOrExit, onShutdown } from '@gatehouse/runtime';
import { startBackEnd } from './back-end.js';
import { loadBackEndConfig } from './config.js';

const config = loadConfigOrExit(() => loadBackEndConfig());
const logger = createLogger('back-end', config.logLevel);
// A known postgres.js bug may throw from a timer when a connection dies mid-transaction: see null-socket-writes.ts.
surviveNullSocketWrites(logger);
try {
  const backEnd = await startBackEnd(config, logger);
  onShutdown(logger, () => backEnd.stop());
} catch (err) {
  exitOnStartupError(logger, err);
}
