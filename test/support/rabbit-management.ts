import { inject } from 'vitest';

/** The harness broker's management HTTP API: what exists on the broker, as an operator sees it. */
async function management(path: string, method = 'GET', body?: unknown): Promise<Response> {
  const auth = Buffer.from(`${inject('rabbitUser')}:${inject('rabbitPassword')}`).toString('base64');
  const headers = { authorization: `Basic ${auth}`, 'content-type': 'application/json' };
  return fetch(`http://127.0.0.1:${inject('amqpManagementPort')}/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Creates (or replaces) a broker user with these permissions on the default vhost (and these tags, e.g. `monitoring`). */
export async function createBrokerUser(user: string, password: string, permissions: object, tags = ''): Promise<void> {
  for (const [path, body] of [[`/users/${user}`, { password, tags }], [`/permissions/%2F/${user}`, permissions]] as const) {
    const res = await management(path, 'PUT', body);
    if (!res.ok) throw new Error(`management API: PUT ${path}: ${res.status}`);
  }
}

/** Deletes a broker user (and so closes its connections). */
export async function deleteBrokerUser(user: string): Promise<void> {
  await management(`/users/${user}`, 'DELETE');
}

export interface QueueInfo {
  name: string;
  arguments: Record<string, unknown>;
  messages?: number;
  messages_unacknowledged?: number;
}

/** Every queue of the default vhost, by name. */
export async function queueNames(): Promise<string[]> {
  const res = await management('/queues/%2F?columns=name');
  if (!res.ok) throw new Error(`management API: ${res.status}`);
  return ((await res.json()) as { name: string }[]).map((q) => q.name);
}

/** One queue's declaration and counts, or undefined when it does not exist. */
export async function queueInfo(name: string): Promise<QueueInfo | undefined> {
  const res = await management(`/queues/%2F/${encodeURIComponent(name)}`);
  return res.ok ? ((await res.json()) as QueueInfo) : undefined;
}

/** Closes, from the broker's side, every connection whose client named itself `connectionName`. */
export async function closeConnections(connectionName: string): Promise<number> {
  const res = await management('/connections?columns=name,client_properties');
  const all = (await res.json()) as { name: string; client_properties?: { connection_name?: string } }[];
  const ours = all.filter((c) => c.client_properties?.connection_name === connectionName);
  await Promise.all(ours.map((c) => management(`/connections/${encodeURIComponent(c.name)}`, 'DELETE')));
  return ours.length;
}
