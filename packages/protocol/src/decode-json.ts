export type DecodedJson = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses raw message bytes (or text) as JSON, describing what is wrong when it is not. */
export function decodeJson(body: Buffer | string): DecodedJson {
  try {
    return { ok: true, value: JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body) };
  } catch (err) {
    return { ok: false, message: `Invalid JSON: ${(err as Error).message}` };
  }
}
