export type DecodedJson = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * rabbitmq-client hands over a Buffer, a string, or an already-parsed value depending on the
 * content type the sender set; this accepts all three.
 */
export function decodeJson(body: unknown): DecodedJson {
  if (!Buffer.isBuffer(body) && typeof body !== 'string') return { ok: true, value: body };
  try {
    return { ok: true, value: JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body) };
  } catch (err) {
    return { ok: false, message: `Invalid JSON: ${(err as Error).message}` };
  }
}
