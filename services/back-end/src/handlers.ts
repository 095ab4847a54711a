import { Messages, type GetHashRequest, type RegisterRequest, type Reply } from '@gatehouse/protocol';
import type { RequestHandler, RequestMeta } from '@gatehouse/messaging';
import { runOnce, type Database, UsersRepository } from '@gatehouse/database';
import type { Logger } from 'pino';

/** The textbook's process_request, one function per action. Input is already validated. */
export function createRequestHandler(db: Database, logger: Logger): RequestHandler {
  const users = new UsersRepository(db);

  async function register({ data }: RegisterRequest, meta: RequestMeta): Promise<Reply> {
    logger.info({ email: data.email }, 'REGISTER request received');
    return runOnce(db, meta.requestId, async (tx) => {
      const result = await users.insert(tx, data.email, data.hash);
      return result === 'created' ? { success: true } : { success: false, message: Messages.userExists };
    });
  }

  async function getHash({ data }: GetHashRequest): Promise<Reply> {
    logger.info({ email: data.email }, 'GETHASH request received');
    const hash = await users.findHash(data.email);
    return hash === undefined ? { success: false } : { success: true, hash };
  }

  return (request, meta) => {
    switch (request.action) {
      case 'REGISTER':
        return register(request, meta);
      case 'GETHASH':
        return getHash(request);
    }
  };
}
