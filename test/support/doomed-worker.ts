import { connectAmqp, startRpcServer, type RequestHandler } from '@gatehouse/messaging';
import { testLogger as logger } from './silent-logger.js';

/**
 * A worker on `queue` that runs the first request it takes to the end (its transaction commits),
 * then loses its connection before it can reply or ack, so the broker redelivers the request.
 * Resolves once that commit happened.
 */
export async function startDoomedWorker(amqpUrl: string, queue: string, handle: RequestHandler): Promise<{ committed: Promise<void> }> {
  const doomed = connectAmqp({ urls: [amqpUrl], name: 'doomed-worker', logger });
  let committed!: () => void;
  const firstDeliveryCommitted = new Promise<void>((resolve) => (committed = resolve));
  const crashAfterCommit: RequestHandler = async (request, meta) => {
    await handle(request, meta);
    doomed.unsafeDestroy();
    committed();
    return new Promise(() => undefined);
  };
  await startRpcServer({ connection: doomed, queue, mode: 'quorum', prefetch: 1, handle: crashAfterCommit, logger });
  return { committed: firstDeliveryCommitted };
}
