import { z } from 'zod';

/** The parts every request schema is built from (schemas.ts, second-factors.ts). */

/** RFC 5321 caps a path at 254 characters; longer input is rejected before any work is done. */
export const MAX_EMAIL_LENGTH = 254;
/** Session ids travel as the hex SHA-256 of the cookie's random value, never the value itself. */
export const TOKEN_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** PostgreSQL text cannot hold U+0000; refusing it here keeps such requests from failing in SQL. */
export const text = () => z.string().refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');

export const emailSchema = text()
  .trim()
  .min(1, 'email is required')
  .max(MAX_EMAIL_LENGTH, `email is longer than ${MAX_EMAIL_LENGTH} characters`)
  .pipe(z.email('email is not a valid address'));

export const tokenHashSchema = z.string().regex(TOKEN_HASH_PATTERN, 'tokenHash must be 64 lowercase hex characters');
/** A trusted device, as the hex SHA-256 of its cookie's nonce: useless as a cookie if read from the database. */
export const deviceHashSchema = z.string().regex(TOKEN_HASH_PATTERN, 'deviceHash must be 64 lowercase hex characters');
/** The Front End's id for one login (a UUID from us), so LOGIN_ABANDONED can refund exactly that attempt. */
export const attemptIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'attemptId must be 16-64 characters of A-Z a-z 0-9 _ -');

/** Who asked, for the audit log. Optional, so the textbook's clients need not send it. */
export const clientSchema = z
  .looseObject({
    ip: text().max(64, 'client.ip is longer than 64 characters').optional(),
    userAgent: text().max(512, 'client.userAgent is longer than 512 characters').optional(),
  })
  .optional();

// Objects are loose on purpose: unknown fields are ignored so the protocol can grow.
export const request = <A extends string, D extends z.ZodRawShape>(action: A, data: D) =>
  z.looseObject({ action: z.literal(action), data: z.looseObject({ ...data, client: clientSchema }) });

