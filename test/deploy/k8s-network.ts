import { podTemplateOf, selects, workloads, type K8sObject, type Labels } from './k8s-support.js';

/**
 * Which pods may open a connection to which, as the NetworkPolicy API defines it: a connection
 * passes when the source's egress policies (if any select it) and the destination's ingress
 * policies (if any select it) both allow it. Only the parts of the API the manifests use are
 * modelled; anything else (matchExpressions, ipBlock) throws, so the model cannot be silently wrong.
 */
export interface Pod {
  group: string;
  namespace: string;
  labels: Labels;
  /** Container ports, for named ports. */
  ports: { name?: string; port: number; protocol: string }[];
}

interface Selector {
  matchLabels?: Labels;
  matchExpressions?: unknown[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}
interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PolicyPort[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: Rule[];
  egress?: Rule[];
}
interface Policy {
  namespace: string;
  spec: PolicySpec;
}

/** Where the manifests go (kubectl apply -k without a namespace: the current one). */
export const NAMESPACE = 'default';

/** An empty selector selects everything; only matchLabels is modelled. */
function matchesSelector(selector: Selector, labels: Labels): boolean {
  if (selector.matchExpressions?.length) throw new Error('matchExpressions is not modelled by k8s-network.ts');
  const wanted = selector.matchLabels ?? {};
  return Object.keys(wanted).length === 0 || selects(wanted, labels);
}

const namespaceLabels = (namespace: string): Labels => ({ 'kubernetes.io/metadata.name': namespace });

function peerMatches(peer: Peer, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) throw new Error('ipBlock is not modelled by k8s-network.ts');
  const namespaceOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, namespaceLabels(pod.namespace)) : pod.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector ? matchesSelector(peer.podSelector, pod.labels) : true);
}

function portMatches(rulePort: PolicyPort, port: number, protocol: string, destination: Pod): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true;
  const number = typeof rulePort.port === 'number' ? rulePort.port : destination.ports.find((p) => p.name === rulePort.port && p.protocol === protocol)?.port;
  if (number === undefined) return false;
  return rulePort.endPort === undefined ? number === port : port >= number && port <= rulePort.endPort;
}

function ruleAllows(rule: Rule, peers: Peer[] | undefined, policy: Policy, peer: Pod, destination: Pod, port: number, protocol: string): boolean {
  const peerOk = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, policy.namespace, peer));
  const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, port, protocol, destination));
  return peerOk && portOk;
}

const types = (spec: PolicySpec) => spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);

/** Policies of the given direction that select `pod`. */
function policiesFor(policies: Policy[], pod: Pod, direction: 'Ingress' | 'Egress'): Policy[] {
  return policies.filter((p) => p.namespace === pod.namespace && types(p.spec).includes(direction) && matchesSelector(p.spec.podSelector, pod.labels));
}

export function policiesOf(objects: K8sObject[]): Policy[] {
  return objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => ({ namespace: NAMESPACE, spec: o.spec as PolicySpec }));
}

/** May `source` open a connection to `destination` on `port`? */
export function allowed(policies: Policy[], source: Pod, destination: Pod, port: number, protocol = 'TCP'): boolean {
  const egress = policiesFor(policies, source, 'Egress');
  const egressOk =
    egress.length === 0 || egress.some((p) => (p.spec.egress ?? []).some((r) => ruleAllows(r, r.to, p, destination, destination, port, protocol)));
  const ingress = policiesFor(policies, destination, 'Ingress');
  const ingressOk =
    ingress.length === 0 || ingress.some((p) => (p.spec.ingress ?? []).some((r) => ruleAllows(r, r.from, p, source, destination, port, protocol)));
  return egressOk && ingressOk;
}

/** One pod per workload, named by its `app` label, plus a client outside Gatehouse and the cluster DNS. */
export function podsOf(objects: K8sObject[]): Pod[] {
  const pods = workloads(objects).map((w): Pod => {
    const template = podTemplateOf(w)!;
    const labels = template.metadata?.labels ?? {};
    const ports = template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: 'TCP' })));
    return { group: labels.app ?? w.metadata.name, namespace: NAMESPACE, labels, ports };
  });
  return [
    ...pods,
    { group: 'outside', namespace: 'elsewhere', labels: { app: 'browser' }, ports: [] },
    { group: 'dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
  ];
}

/** May `source` reach `destination` on any of its ports? */
export function reaches(policies: Policy[], source: Pod, destination: Pod): boolean {
  return destination.ports.some((p) => allowed(policies, source, destination, p.port, p.protocol));
}

/** The tier rule: every pair of groups that may connect; all other pairs must not. */
export const EXPECTED_REACH = new Set([
  'front-end -> messaging',
  'back-end -> messaging',
  'back-end -> db',
  'mailer -> messaging',
  'db -> db',
  'messaging -> messaging',
  'broker-users -> messaging',
  'outside -> front-end',
]);

/** Pairs whose reachability differs from EXPECTED_REACH (`dns` is checked separately). */
export function matrixProblems(objects: K8sObject[]): string[] {
  const policies = policiesOf(objects);
  const pods = podsOf(objects).filter((p) => p.group !== 'dns');
  const problems: string[] = [];
  for (const source of pods) {
    for (const destination of pods) {
      const pair = `${source.group} -> ${destination.group}`;
      const actual = reaches(policies, source, destination);
      if (actual !== EXPECTED_REACH.has(pair)) problems.push(`${pair}: ${actual ? 'allowed' : 'refused'}, expected ${actual ? 'refused' : 'allowed'}`);
    }
  }
  return problems;
}

/** Gatehouse pods not selected by a policy in each direction: for them, anything would pass. */
export function coverageProblems(objects: K8sObject[]): string[] {
  const policies = policiesOf(objects);
  return podsOf(objects)
    .filter((p) => p.namespace === NAMESPACE)
    .flatMap((pod) =>
      (['Ingress', 'Egress'] as const).filter((d) => policiesFor(policies, pod, d).length === 0).map((d) => `${pod.group}: no ${d} policy selects it`),
    );
}
