import { createLogger, exitOnStartupError, loadConfigOrExit, onShutdown } from '@gatehouse/runtime';
import { loadMailerConfig } from './config.js';
import { startMailer } from './mailer.js';

const config = loadConfigOrExit(() => loadMailerConfig());
const logger = createLogger('mailer', config.logLevel);
try {
  const mailer = await startMailer(config, logger);
  onShutdown(logger, () => mailer.stop());
} catch (err) {
  exitOnStartupError(logger, err);
}
