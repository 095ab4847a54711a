import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

/** How long a refused client gets to read our answer before the socket is torn down. */
const LINGER_MS = 2000;

const ANSWERS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers were too large.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request took too long to arrive.' },
};
const MALFORMED = { status: 400, message: 'The request could not be understood.' };

/**
 * Answers requests Node's HTTP parser rejects before Fastify sees them (headers over the
 * limit, a request that timed out, bytes that are not HTTP). Fastify's default writes the
 * answer and destroys the socket at once; with request bytes still unread, the kernel then
 * sends a reset that can overtake the answer. Ending gently lets the client read its 4xx.
 */
export function makeClientErrorHandler(log: FastifyBaseLogger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, message } = ANSWERS[err.code ?? ''] ?? MALFORMED;
    log.debug({ code: err.code, status }, 'malformed request refused by the HTTP parser');
    refuse(socket, status, message);
  };
}

/** We are no proxy: a CONNECT gets a 405 instead of Node's silent close. */
export function refuseConnect(_request: unknown, socket: Socket): void {
  refuse(socket, 405, 'This server does not proxy connections.');
}

function refuse(socket: Socket, status: number, message: string): void {
  if (socket.writable) {
    const body = `${STATUS_CODES[status]}\n\n${message}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  // Drain what the client is still sending, then make sure the socket goes away.
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
