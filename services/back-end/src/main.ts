import { createLogger, exitOnStartupError, loadConfigOrExit, onShutdown } from '@gatehouse/runtime';
import { startBackEnd } from './back-end.js';
import { loadBackEndConfig } from './config.js';

const config = loadConfigOrExit(() => loadBackEndConfig());
const logger = createLogger('back-end', config.logLevel);
try {
  const backEnd = await startBackEnd(config, logger);
  onShutdown(logger, () => backEnd.stop());
} catch (err) {
  exitOnStartupError(logger, err);
}
