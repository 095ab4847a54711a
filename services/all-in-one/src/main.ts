// First: sizes libuv's threadpool for the Front End's hashing before anything can start it.
import '@gatehouse/front-end/threadpool';
import { createLogger, exitOnStartupError, onShutdown } from '@gatehouse/runtime';
import { startAllInOne } from './all-in-one.js';
import { loadAllInOneConfig } from './config.js';

const logger = createLogger('gatehouse');
try {
  const config = loadAllInOneConfig();
  logger.level = config.LOG_LEVEL;
  const gatehouse = await startAllInOne(config, logger);
  logger.info(`Gatehouse is running at ${gatehouse.url}`);
  // Printed plainly as well: it is the one line a first-time user looks for.
  console.log(`\nGatehouse is running at ${gatehouse.url}\n`);
  onShutdown(logger, () => gatehouse.stop());
} catch (err) {
  exitOnStartupError(logger, err);
}
