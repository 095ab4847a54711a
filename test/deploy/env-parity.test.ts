import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gatehouse/runtime';
import { BACK_END_VARIABLES, loadBackEndConfig } from '@gatehouse/back-end/config';
import { FRONT_END_VARIABLES, loadFrontEndConfig } from '@gatehouse/front-end/config';
import { join } from 'node:path';
import { REPO, randomSecrets, renderedModel, tierServices } from './compose-support.js';
import { BACK_END_HELPERS, FRONT_END_HELPERS } from './k8s-env.js';
import { named, podTemplateOf, renderKustomization } from './k8s-support.js';

/**
 * Issue 8 §6: the environment compose and Kubernetes give each tier comes from one source, the
 * tier's config module, so the three deployments cannot drift apart: every name they pass is one
 * the service reads, each passes the same names, and none leaves out one the service requires.
 */

type Tier = 'front-end' | 'back-end';
const VARIABLES: Record<Tier, readonly string[]> = { 'front-end': FRONT_END_VARIABLES, 'back-end': BACK_END_VARIABLES };
const HELPERS: Record<Tier, readonly string[]> = { 'front-end': FRONT_END_HELPERS, 'back-end': BACK_END_HELPERS };
const LOADERS: Record<Tier, (env: Record<string, string>) => unknown> = { 'front-end': loadFrontEndConfig, 'back-end': loadBackEndConfig };
const TIERS: Tier[] = ['front-end', 'back-end'];
/** Set only where a proxy adds X-Forwarded-For: ha.yml's HAProxy (Kubernetes' LoadBalancer is plain TCP). */
const BEHIND_HTTP_PROXY = new Set(['TRUST_PROXY']);
/** Set only where Patroni, etcd and HAProxy run beside the Back Ends, for /status's picture: ha.yml (Kubernetes has no etcd or HAProxy). */
const BESIDE_HA_DATABASE = new Set(['PATRONI_URLS', 'ETCD_URLS', 'HAPROXY_STATS_URL']);
/**
 * Set only beside a memory limit it was sized with: Kubernetes' Front End (k8s-front-end.test.ts).
 * Compose sets no limits, so there the default (one slot per CPU of the cgroup quota) serves.
 */
const SIZED_WITH_LIMITS = new Set(['HASH_CONCURRENCY']);
const withoutSizing = (names: string[]) => names.filter((n) => !SIZED_WITH_LIMITS.has(n));

/** The variables a config module refuses to start without: what it names when given nothing. */
function requiredBy(tier: Tier): string[] {
  try {
    LOADERS[tier]({ NODE_ENV: 'production' });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.split(':')[0]!);
    throw err;
  }
  return [];
}

const secrets = randomSecrets();
const models = Object.fromEntries((['docker-compose.yml', 'deploy/compose/ha.yml'] as const).map((file) => [file, renderedModel(file, secrets)]));
const compose = Object.fromEntries(
  (['docker-compose.yml', 'deploy/compose/ha.yml'] as const).map((file) => {
    const model = models[file]!;
    return [file, Object.fromEntries(TIERS.map((tier) => [tier, tierServices(model, tier).map(([, s]) => Object.keys(s.environment ?? {}).sort())]))];
  }),
);
const { objects } = renderKustomization(join(REPO, 'deploy/k8s'));
const kubernetes = Object.fromEntries(
  TIERS.map((tier) => {
    const env = podTemplateOf(named(objects, 'Deployment', tier)!)!.spec.containers[0]!.env ?? [];
    return [tier, env.map((e) => e.name).filter((name) => !HELPERS[tier].includes(name)).sort()];
  }),
) as Record<Tier, string[]>;

describe.each(TIERS)('the %s environment', (tier) => {
  it('the config module requires something (so the checks below can fail)', () => {
    expect(requiredBy(tier)).toContain('AMQP_URL');
  });

  it('Kubernetes passes only variables the config module reads, and every one it requires', () => {
    expect(kubernetes[tier].filter((name) => !VARIABLES[tier].includes(name))).toEqual([]);
    expect(requiredBy(tier).filter((name) => !kubernetes[tier].includes(name))).toEqual([]);
  });

  it('docker-compose.yml passes exactly the names Kubernetes passes', () => {
    const services = compose['docker-compose.yml']![tier]!;
    expect(services).toHaveLength(1);
    expect(services[0]).toEqual(withoutSizing(kubernetes[tier]));
  });

  it('each of ha.yml\'s three replicas passes the same names too (plus TRUST_PROXY behind its HTTP proxy, and where Patroni, etcd and HAProxy answer)', () => {
    const services = compose['deploy/compose/ha.yml']![tier]!;
    expect(services).toHaveLength(3);
    for (const names of services) expect(names.filter((n) => !BEHIND_HTTP_PROXY.has(n) && !BESIDE_HA_DATABASE.has(n))).toEqual(withoutSizing(kubernetes[tier]));
    if (tier === 'back-end') for (const names of services) expect(names).toEqual(expect.arrayContaining([...BESIDE_HA_DATABASE]));
  });
});

it('compose gives a Front End no memory limit without the HASH_CONCURRENCY it was sized for (the exception above holds)', () => {
  const limited = (service: object) => JSON.stringify(service).match(/"(mem_limit|memory)":/) !== null;
  for (const [file, model] of Object.entries(models)) {
    for (const [name, service] of tierServices(model, 'front-end')) {
      if (limited(service)) expect(Object.keys(service.environment ?? {}), `${file} ${name}`).toContain('HASH_CONCURRENCY');
    }
  }
  expect(limited({ deploy: { resources: { limits: { memory: '384M' } } } })).toBe(true);
});
