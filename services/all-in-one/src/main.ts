import { surviveNullSocketWrites } from '@gatehouse/database';
import { createLogger, exitOnStartupError, loadConfigOrExit, onShutdown } from '@gatehouse/runtime';
import { startAllInOne } from './all-in-one.js';
import { loadAllInOneConfig } from './config.js';
import { DataDirInUseError } from './data-dir-lock.js';

const config = loadConfigOrExit(() => loadAllInOneConfig());
const logger = createLogger('gatehouse', config.frontEnd.logLevel);
// A known postgres.js bug may throw from a timer when a connection dies mid-transaction: see null-socket-writes.ts.
surviveNullSocketWrites(logger);
try {
  const gatehouse = await startAllInOne(config, logger);
  // Once, plainly, not as a log record: it is the one line a first-time user looks for.
  console.log(`\nGatehouse is running at ${gatehouse.url}\n`);
  onShutdown(logger, () => gatehouse.stop());
} catch (err) {
  if (err instanceof DataDirInUseError) {
    console.error(err.message); // a sentence for the person who ran npm start twice
    process.exit(1);
  }
  exitOnStartupError(logger, err);
}
