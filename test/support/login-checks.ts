import { expect } from 'vitest';
import type { Database } from '@gatehouse/database';
import type { FormClient } from './form-client.js';

/** The client's cookies open /secret, which names `email`. */
export async function loggedInAs(client: FormClient, email: string): Promise<void> {
  const page = await client.get('/secret');
  expect(page.status).toBe(200);
  expect(page.body).toContain(email);
}

/** The audit trail of `email`, oldest first. */
export async function auditEvents(db: Database, email: string): Promise<string[]> {
  const rows = await db.readWrite<{ event: string }[]>`SELECT event FROM auth_events WHERE email = ${email} ORDER BY id`;
  return rows.map((r) => r.event);
}
