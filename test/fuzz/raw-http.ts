import { connect, type Socket } from 'node:net';

/** One HTTP/1.x response as it came off the wire. */
export interface RawResponse {
  status: number;
  statusLine: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export type Outcome =
  /** A complete response; `reusable` is false when the server closes or said "Connection: close". */
  | { kind: 'response'; response: RawResponse; reusable: boolean; extraBytes: number }
  /** Nothing complete within the time allowed. */
  | { kind: 'timeout'; partial: Buffer }
  /** The server closed (or reset) the connection without a complete response. */
  | { kind: 'closed'; partial: Buffer; error?: string }
  /** Bytes that are not an HTTP response. */
  | { kind: 'garbage'; partial: Buffer; error: string };

const HEADER_END = Buffer.from('\r\n\r\n');

type Parse = { done: false } | { done: true; response: RawResponse; consumed: number } | { done: 'error'; error: string };

/**
 * Parses one response from the start of `buf`. `eof` says the server closed, which ends a
 * body without a length. Interim 1xx responses are skipped.
 */
export function parseResponse(buf: Buffer, method: string, eof: boolean): Parse {
  let offset = 0;
  for (;;) {
    const end = buf.indexOf(HEADER_END, offset);
    if (end < 0) return buf.length - offset > 64 * 1024 ? { done: 'error', error: 'response head over 64 KiB' } : { done: false };
    const head = buf.subarray(offset, end).toString('latin1');
    const [statusLine = '', ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (!m) return { done: 'error', error: `bad status line ${JSON.stringify(statusLine.slice(0, 100))}` };
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) return { done: 'error', error: `bad header line ${JSON.stringify(line.slice(0, 100))}` };
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const bodyStart = end + HEADER_END.length;
    if (status >= 100 && status < 200) {
      offset = bodyStart; // 100 Continue and friends: the real answer follows
      continue;
    }
    if (method === 'HEAD' || status === 204 || status === 304) {
      return { done: true, response: { status, statusLine, headers, body: Buffer.alloc(0) }, consumed: bodyStart };
    }
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const chunks: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', at);
        if (lineEnd < 0) return { done: false };
        const size = parseInt(buf.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
        if (!Number.isFinite(size) || size < 0) return { done: 'error', error: 'bad chunk size' };
        if (size === 0) {
          const trailerEnd = buf.indexOf(HEADER_END, lineEnd);
          const consumed = buf.subarray(lineEnd, lineEnd + 2).equals(Buffer.from('\r\n')) && buf.subarray(lineEnd + 2, lineEnd + 4).equals(Buffer.from('\r\n'))
            ? lineEnd + 4
            : trailerEnd >= 0 ? trailerEnd + 4 : -1;
          if (consumed < 0) return { done: false };
          return { done: true, response: { status, statusLine, headers, body: Buffer.concat(chunks) }, consumed };
        }
        if (buf.length < lineEnd + 2 + size + 2) return { done: false };
        chunks.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
    }
    const lengthHeader = headers['content-length'];
    if (lengthHeader !== undefined) {
      const length = Number(lengthHeader);
      if (!Number.isSafeInteger(length) || length < 0) return { done: 'error', error: `bad content-length ${lengthHeader}` };
      if (buf.length < bodyStart + length) return { done: false };
      return { done: true, response: { status, statusLine, headers, body: buf.subarray(bodyStart, bodyStart + length) }, consumed: bodyStart + length };
    }
    // No length: the body runs to the end of the connection.
    if (!eof) return { done: false };
    return { done: true, response: { status, statusLine, headers, body: buf.subarray(bodyStart) }, consumed: buf.length };
  }
}

/**
 * A raw TCP connection to an HTTP server: writes any bytes, reads one response per call.
 * Used instead of fetch so requests can be truly malformed, and so keep-alive is ours to manage.
 */
export class RawConnection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #eof = false;
  #error: string | undefined;
  #connected: Promise<void>;
  #wake: (() => void) | undefined;

  constructor(port: number, host = '127.0.0.1') {
    this.#socket = connect({ port, host, noDelay: true });
    this.#connected = new Promise((resolve, reject) => {
      this.#socket.once('connect', resolve);
      this.#socket.once('error', reject);
    });
    this.#connected.catch(() => undefined);
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      this.#wake?.();
    });
    this.#socket.on('end', () => {
      this.#eof = true;
      this.#wake?.();
    });
    this.#socket.on('close', () => {
      this.#eof = true;
      this.#wake?.();
    });
    this.#socket.on('error', (err: NodeJS.ErrnoException) => {
      this.#error = err.code ?? err.message;
      this.#eof = true;
      this.#wake?.();
    });
  }

  get usable(): boolean {
    return !this.#eof && !this.#socket.destroyed;
  }

  /** Sends `bytes` and waits (at most `timeoutMs`) for one complete response. */
  async exchange(bytes: Buffer, method: string, timeoutMs: number): Promise<Outcome> {
    try {
      await this.#connected;
    } catch (err) {
      return { kind: 'closed', partial: Buffer.alloc(0), error: `connect: ${(err as Error).message}` };
    }
    this.#buffer = Buffer.alloc(0);
    // A server may answer (413, 431) and close before taking every byte; a failed write is not the verdict.
    this.#socket.write(bytes, () => undefined);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.#buffer, method, this.#eof);
      if (parsed.done === true) {
        const { response, consumed } = parsed;
        const extraBytes = this.#buffer.length - consumed;
        const reusable = !this.#eof && extraBytes === 0 && !/\bclose\b/i.test(response.headers.connection ?? '');
        return { kind: 'response', response, reusable, extraBytes };
      }
      if (parsed.done === 'error') return { kind: 'garbage', partial: this.#buffer, error: parsed.error };
      if (this.#eof) return { kind: 'closed', partial: this.#buffer, ...(this.#error ? { error: this.#error } : {}) };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout', partial: this.#buffer };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
