import type { Socket } from 'node:net';
import type { Connection } from '@gatehouse/messaging';

/**
 * This process's end of its broker connection ("127.0.0.1:53122"): the broker's management API
 * lists each client by that address, which is how /status marks the Front End serving the page.
 * rabbitmq-client keeps its socket private (`_socket`); if a release renames it, the answer is
 * undefined and the page says it cannot tell this replica apart, nothing breaks.
 */
export function brokerAddressOf(connection: Connection): () => string | undefined {
  return () => {
    const socket = (connection as unknown as { _socket?: Partial<Socket> })._socket;
    if (!socket?.localAddress || !socket.localPort) return undefined;
    const host = socket.localAddress.replace(/^::ffff:/, '');
    return `${host}:${socket.localPort}`;
  };
}
