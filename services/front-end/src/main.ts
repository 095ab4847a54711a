// Started by bin/front-end.cjs, which sizes libuv's threadpool before this module loads.
import { createLogger, exitOnStartupError, loadConfigOrExit, onShutdown, RefusedError } from '@gatehouse/runtime';
import { loadFrontEndConfig } from './config.js';
import { startFrontEnd } from './front-end.js';

const config = loadConfigOrExit(() => loadFrontEndConfig());
const logger = createLogger('front-end', config.logLevel);
try {
  const refused = (reason: string) => exitOnStartupError(logger, new RefusedError(reason));
  const frontEnd = await startFrontEnd(config, logger, undefined, refused);
  // The threadpool size bin/front-end.cjs set (unset: libuv's 4), said once so it can be checked.
  logger.info({ uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? 'unset' }, `Front End listening on ${frontEnd.url}`);
  onShutdown(logger, () => frontEnd.stop(), { onSignal: () => frontEnd.beginShutdown(), drainMs: config.shutdownDrainMs });
} catch (err) {
  exitOnStartupError(logger, err);
}
