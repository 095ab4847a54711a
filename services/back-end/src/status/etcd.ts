import type { InfrastructureNode } from '@gatehouse/protocol';

/** etcd's JSON gateway answers these two (v3 API over HTTP): who am I, who leads, and every member's name. */
interface EtcdStatus {
  header?: { member_id?: string };
  leader?: string;
}
interface EtcdMemberList {
  members?: { ID?: string; name?: string; clientURLs?: string[] }[];
}

/**
 * Each etcd member Patroni keeps its leader key in (ETCD_URLS): leader, member, or not
 * answering. The names come from the member list of any member that answers; a member that
 * cannot be reached is named by its address. With two of three down, Patroni runs in failsafe
 * mode and the primary keeps its role, which is why an operator wants to see this.
 */
export async function etcdMembers(urls: readonly string[], timeoutMs = 2000): Promise<InfrastructureNode[]> {
  const statuses = await Promise.all(urls.map((url) => post<EtcdStatus>(url, '/v3/maintenance/status', timeoutMs)));
  // Every member knows the whole list: ask the first that answered, not each.
  const answering = urls.find((_, i) => statuses[i]);
  const list = answering ? await post<EtcdMemberList>(answering, '/v3/cluster/member/list', timeoutMs) : undefined;
  return urls.map((url, i) => {
    const status = statuses[i];
    const name = nameOf(url, list, status?.header?.member_id);
    if (!status) return { name, kind: 'etcd', role: 'member', state: 'not answering' };
    if (!status.leader) return { name, kind: 'etcd', role: 'member', state: 'no leader' };
    return { name, kind: 'etcd', role: status.leader === status.header?.member_id ? 'leader' : 'member', state: 'running' };
  });
}

function nameOf(url: string, list: EtcdMemberList | undefined, id: string | undefined): string {
  const host = new URL(url).host;
  const member = list?.members?.find((m) => (id !== undefined && m.ID === id) || m.clientURLs?.some((u) => new URL(u).host === host));
  return member?.name || host;
}

async function post<T>(base: string, path: string, timeoutMs: number): Promise<T | undefined> {
  try {
    const res = await fetch(`${base.replace(/\/$/, '')}${path}`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}
