import { httpRequest as request, type HttpRequestOptions as HttpOptions } from '@gatehouse/runtime';

export { request, type HttpOptions };

/** The JSON body of a 2xx answer, or undefined for anything else (including no answer). */
export async function getJson<T>(url: string, options: HttpOptions = {}): Promise<T | undefined> {
  try {
    const { status, body } = await request(url, options);
    return status >= 200 && status < 300 ? (body as T) : undefined;
  } catch {
    return undefined;
  }
}

/** True when the URL answers with the given status. */
export async function answers(url: string, status = 200, options: HttpOptions = {}): Promise<boolean> {
  try {
    return (await request(url, options)).status === status;
  } catch {
    return false;
  }
}
