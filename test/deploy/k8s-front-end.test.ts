import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/service-process.js';
import { clientAddressProblems, FRONT_END_BASELINE_MIB, hashMemoryProblems, mebibytes } from './k8s-front-end.js';
import { clone, named, podTemplateOf, renderKustomization, type Container, type K8sObject } from './k8s-support.js';

// deploy/k8s's Front End: how many hashes it runs, the memory they need, and whose address it sees.
let objects: K8sObject[];
beforeAll(() => {
  ({ objects } = renderKustomization(join(REPO_ROOT, 'deploy', 'k8s')));
});

const frontEnd = (objs: K8sObject[]): Container => podTemplateOf(named(objs, 'Deployment', 'front-end')!)!.spec.containers[0]!;
const setEnv = (c: Container, name: string, value: string) => {
  c.env = [...(c.env ?? []).filter((e) => e.name !== name), { name, value }];
};

describe('memory quantities', () => {
  it('read in MiB', () => {
    expect(mebibytes('384Mi')).toBe(384);
    expect(mebibytes('1Gi')).toBe(1024);
    expect(mebibytes('2048Ki')).toBe(2);
    expect(mebibytes(String(512 * 1048576))).toBe(512);
    expect(mebibytes('lots')).toBeUndefined();
  });
});

describe('the Front End hashes no more at once than its memory limit holds', () => {
  it('sets HASH_CONCURRENCY, and its limit covers the baseline plus that many of the dearest argon2 runs', () => {
    expect(frontEnd(objects).env!.find((e) => e.name === 'HASH_CONCURRENCY')?.value).toBe('1');
    expect(hashMemoryProblems(objects)).toEqual([]);
    expect(FRONT_END_BASELINE_MIB).toBeGreaterThan(120); // the idle peak measured
  });

  it('fails without HASH_CONCURRENCY: the default would follow the node where no CPU limit applies', () => {
    const broken = clone(objects);
    frontEnd(broken).env = frontEnd(broken).env!.filter((e) => e.name !== 'HASH_CONCURRENCY');
    expect(hashMemoryProblems(broken)).toEqual(['Deployment/front-end container front-end: HASH_CONCURRENCY is not set to a number']);
  });

  it('fails when the limit is below baseline + concurrency x argon2 memory', () => {
    const broken = clone(objects);
    setEnv(frontEnd(broken), 'HASH_CONCURRENCY', '4');
    expect(hashMemoryProblems(broken)).toEqual(['Deployment/front-end container front-end: memory limit 384 Mi < 192 Mi + 4 x 76 Mi of argon2 = 496 Mi']);
    const lower = clone(objects);
    setEnv(frontEnd(lower), 'ARGON2_MAX_MEMORY_KIB', '19456');
    setEnv(frontEnd(lower), 'HASH_CONCURRENCY', '4');
    expect(hashMemoryProblems(lower)).toEqual([]); // 192 + 4 x 19 = 268 Mi
    frontEnd(lower).resources!.limits!.memory = '256Mi';
    expect(hashMemoryProblems(lower)).toEqual(['Deployment/front-end container front-end: memory limit 256 Mi < 192 Mi + 4 x 19 Mi of argon2 = 268 Mi']);
  });
});

describe("the Front End sees the browser's address", () => {
  it('its LoadBalancer keeps the source address (externalTrafficPolicy: Local) and no proxy is trusted', () => {
    expect((named(objects, 'Service', 'front-end')!.spec as { externalTrafficPolicy?: string }).externalTrafficPolicy).toBe('Local');
    expect(frontEnd(objects).env!.map((e) => e.name)).not.toContain('TRUST_PROXY');
    expect(clientAddressProblems(objects)).toEqual([]);
  });

  it('fails with the default policy, Cluster, whose source NAT gives every browser a node address', () => {
    const broken = clone(objects);
    delete (named(broken, 'Service', 'front-end')!.spec as { externalTrafficPolicy?: string }).externalTrafficPolicy;
    expect(clientAddressProblems(broken)).toEqual([
      "Service/front-end: externalTrafficPolicy is not Local, so the Front End sees a node's address, not the browser's",
    ]);
  });

  it('behind an Ingress, fails until TRUST_PROXY names the proxy', () => {
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'front-end' },
      spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'front-end', port: { number: 80 } } } }] } }] },
    };
    const behind = [...clone(objects), ingress];
    (named(behind, 'Service', 'front-end')!.spec as { type: string }).type = 'ClusterIP';
    expect(clientAddressProblems(behind)).toEqual(['Deployment/front-end: behind Ingress routes to Service/front-end but TRUST_PROXY does not name the proxy']);
    setEnv(frontEnd(behind), 'TRUST_PROXY', 'true');
    expect(clientAddressProblems(behind)).toHaveLength(1);
    setEnv(frontEnd(behind), 'TRUST_PROXY', '10.0.0.0/8');
    expect(clientAddressProblems(behind)).toEqual([]);
  });
});
