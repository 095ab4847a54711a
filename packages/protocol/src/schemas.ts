import { z } from 'zod';

/** RFC 5321 caps a path at 254 characters; longer input is rejected before any work is done. */
export const MAX_EMAIL_LENGTH = 254;
/** A PHC argon2 string is about 100 characters; the cap leaves room for other algorithms. */
export const MAX_HASH_LENGTH = 1024;

export const emailSchema = z
  .string()
  .trim()
  .min(1, 'email is required')
  .max(MAX_EMAIL_LENGTH, `email is longer than ${MAX_EMAIL_LENGTH} characters`)
  .pipe(z.email('email is not a valid address'));

export const hashSchema = z
  .string()
  .min(1, 'hash is required')
  .max(MAX_HASH_LENGTH, `hash is longer than ${MAX_HASH_LENGTH} characters`);

// Objects are loose on purpose: unknown fields are ignored so the protocol can grow.
export const registerRequestSchema = z.looseObject({
  action: z.literal('REGISTER'),
  data: z.looseObject({ email: emailSchema, hash: hashSchema }),
});

export const getHashRequestSchema = z.looseObject({
  action: z.literal('GETHASH'),
  data: z.looseObject({ email: emailSchema }),
});

/** Every action the Back End answers, keyed by name. */
export const requestSchemas = {
  REGISTER: registerRequestSchema,
  GETHASH: getHashRequestSchema,
} as const;

export type ActionName = keyof typeof requestSchemas;
export type RegisterRequest = z.infer<typeof registerRequestSchema>;
export type GetHashRequest = z.infer<typeof getHashRequestSchema>;
export type Request = RegisterRequest | GetHashRequest;

export const replySchema = z.looseObject({
  success: z.boolean(),
  message: z.string().optional(),
  hash: z.string().optional(),
});
export type Reply = z.infer<typeof replySchema>;
