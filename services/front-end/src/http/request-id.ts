import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { isUsableRequestId, newRequestId } from '@gatehouse/messaging';
import type { TrustProxy } from './trust-proxy.js';

/**
 * Fastify's genReqId: every request gets an id that its log lines, the `X-Request-Id` response
 * header and the Back End's log lines (through the AMQP message's headers) all carry. An
 * incoming `X-Request-Id` is kept only from a trusted proxy, and only when it is short and
 * plain; from anyone else it could forge or flood the logs, so a fresh id is made.
 */
export function requestIdGenerator(trustProxy: TrustProxy): (req: IncomingMessage) => string {
  const trusted = trustedPeer(trustProxy);
  return (req) => {
    const given = req.headers['x-request-id'];
    const peer = req.socket?.remoteAddress;
    return peer !== undefined && trusted(peer) && isUsableRequestId(given) ? given : newRequestId();
  };
}

/** Whether the connection's peer is one of the proxies TRUST_PROXY names (a hop count trusts the nearest). */
function trustedPeer(setting: TrustProxy): (address: string) => boolean {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return () => true; // the nearest hop is, by that setting, a proxy
  const check = proxyAddr.compile(setting);
  return (address) => check(address, 0);
}
