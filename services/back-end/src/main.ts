import { createLogger, exitOnStartupError, onShutdown } from '@gatehouse/runtime';
import { startBackEnd } from './back-end.js';
import { loadBackEndConfig } from './config.js';

const logger = createLogger('back-end');
try {
  const config = loadBackEndConfig();
  logger.level = config.logLevel;
  const backEnd = await startBackEnd(config, logger);
  onShutdown(logger, () => backEnd.stop());
} catch (err) {
  exitOnStartupError(logger, err);
}
