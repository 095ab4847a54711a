import { MAX_ARGON2_COST } from '@gatehouse/protocol';
import { FRONT_END_DEFAULTS } from '../../services/front-end/src/config.js';
import { ofKind, podTemplateOf, selects, workloads, type Container, type K8sObject, type Labels } from './k8s-support.js';

/** Checks on how the Front End is sized and reached. Each returns its problems; an empty list passes. */

/**
 * What a Front End holds besides argon2's memory: measured at about 120 MiB at its idle peak
 * (VmHWM of the built service), plus room for requests in flight and garbage not yet collected.
 */
export const FRONT_END_BASELINE_MIB = 192;

const MIB: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, K: 1e3 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 };

/** A Kubernetes memory quantity ("384Mi", "1Gi", "400M", bytes) in MiB; undefined if unreadable. */
export function mebibytes(quantity: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(quantity ?? ''));
  if (!match) return undefined;
  return Number(match[1]) * (match[2] ? MIB[match[2]]! : 1 / 1048576);
}

const frontEnds = (objects: K8sObject[]) =>
  workloads(objects).flatMap((w) => podTemplateOf(w)!.spec.containers.filter((c) => c.image?.startsWith('gatehouse/front-end')).map((c) => ({ w, c })));

const literal = (container: Container, name: string) => container.env?.find((e) => e.name === name)?.value;

/**
 * Every Front End container sets HASH_CONCURRENCY (its default follows the CPU quota, but written
 * down it is the number the memory limit was sized for), and its memory limit covers the baseline
 * plus that many argon2 runs at the most one may take: the larger of ARGON2_MEMORY_KIB (new hashes)
 * and ARGON2_MAX_MEMORY_KIB (the dearest stored hash a login will verify).
 */
export function hashMemoryProblems(objects: K8sObject[]): string[] {
  return frontEnds(objects).flatMap(({ w, c }) => {
    const where = `${w.kind}/${w.metadata.name} container ${c.name}`;
    const concurrency = Number(literal(c, 'HASH_CONCURRENCY'));
    if (!Number.isInteger(concurrency) || concurrency < 1) return [`${where}: HASH_CONCURRENCY is not set to a number`];
    const kib = Math.max(Number(literal(c, 'ARGON2_MEMORY_KIB') ?? FRONT_END_DEFAULTS.argon2.memoryKib), Number(literal(c, 'ARGON2_MAX_MEMORY_KIB') ?? MAX_ARGON2_COST.memoryKib));
    const needed = FRONT_END_BASELINE_MIB + concurrency * (kib / 1024);
    const limit = mebibytes(c.resources?.limits?.memory);
    if (limit === undefined) return [`${where}: no memory limit`];
    return limit >= needed ? [] : [`${where}: memory limit ${Math.round(limit)} Mi < ${FRONT_END_BASELINE_MIB} Mi + ${concurrency} x ${Math.round(kib / 1024)} Mi of argon2 = ${Math.round(needed)} Mi`];
  });
}

/**
 * The Front End sees each browser's own address, which its per-IP limits and audit log count:
 * a LoadBalancer or NodePort Service in front of it keeps the source address
 * (externalTrafficPolicy: Local; the default, Cluster, NATs it to a node's), and behind an Ingress
 * the Front End trusts that proxy's X-Forwarded-For (TRUST_PROXY).
 */
export function clientAddressProblems(objects: K8sObject[]): string[] {
  const selected = (selector: Labels) => frontEnds(objects).filter(({ w }) => selects(selector, podTemplateOf(w)!.metadata?.labels ?? {}));
  const services = ofKind(objects, 'Service').filter((s) => selected((s.spec as { selector?: Labels }).selector ?? {}).length > 0);
  const problems = services
    .filter((s) => ['LoadBalancer', 'NodePort'].includes((s.spec as { type?: string }).type ?? 'ClusterIP'))
    .filter((s) => (s.spec as { externalTrafficPolicy?: string }).externalTrafficPolicy !== 'Local')
    .map((s) => `Service/${s.metadata.name}: externalTrafficPolicy is not Local, so the Front End sees a node's address, not the browser's`);
  const ingressed = new Set(
    ofKind(objects, 'Ingress').flatMap((i) => JSON.stringify(i.spec).match(/"service":\{"name":"[^"]+"/g) ?? []).map((m) => m.replace(/^.*"name":"/, '').replace(/"$/, '')),
  );
  for (const s of services.filter((svc) => ingressed.has(svc.metadata.name))) {
    for (const { w, c } of selected((s.spec as { selector?: Labels }).selector ?? {})) {
      const trust = literal(c, 'TRUST_PROXY');
      if (!trust || trust === 'true') problems.push(`${w.kind}/${w.metadata.name}: behind Ingress routes to Service/${s.metadata.name} but TRUST_PROXY does not name the proxy`);
    }
  }
  return problems;
}
