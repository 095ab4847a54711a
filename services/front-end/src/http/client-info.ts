import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '@gatehouse/protocol';

/** The protocol's caps on `client`; longer values are cut, not refused. */
const MAX_IP = 64;
const MAX_USER_AGENT = 512;

/**
 * Who is asking, for the Back End's audit log. `request.ip` honours TRUST_PROXY, so behind
 * a proxy it is the client's address only when TRUST_PROXY names or counts that proxy.
 */
export function clientInfo(request: FastifyRequest): NonNullable<ClientInfo> {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip.slice(0, MAX_IP),
    ...(typeof userAgent === 'string' && userAgent !== '' ? { userAgent: userAgent.slice(0, MAX_USER_AGENT) } : {}),
  };
}
