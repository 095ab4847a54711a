import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** An email no other test uses. */
export const newEmail = (prefix = 'user') => `${prefix}-${randomUUID()}@example.com`;

/** A session token's hash, as the Front End sends it. */
export const newTokenHash = () => createHash('sha256').update(randomBytes(32)).digest('hex');
