import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RABBITMQ_PLUGINS, RABBITMQ_SHARED_CONF } from '@gatehouse/operations';
import { BACK_END_VARIABLES } from '../../services/back-end/src/config.js';
import { FRONT_END_VARIABLES } from '../../services/front-end/src/config.js';
import { MAILER_VARIABLES } from '../../services/mailer/src/config.js';
import { REPO_ROOT } from '../support/service-process.js';
import {
  envProblems,
  literalSecretProblems,
  nonRootProblems,
  probeProblems,
  replicaProblems,
  resourceProblems,
  selectorProblems,
  targetPortProblems,
} from './k8s-checks.js';
import { BACK_END_HELPERS, BACK_END_REQUIRED, FRONT_END_HELPERS, FRONT_END_REQUIRED, MAILER_HELPERS, MAILER_REQUIRED } from './k8s-env.js';
import { allowed, coverageProblems, matrixProblems, podsOf, policiesOf } from './k8s-network.js';
import { validateObject } from './k8s-schema.js';
import { clone, containersOf, named, ofKind, parseObjects, podTemplateOf, renderKustomization, type Container, type K8sObject } from './k8s-support.js';

// deploy/k8s, rendered by `kubectl kustomize` with random secret files, checked without a cluster.
const K8S_DIR = join(REPO_ROOT, 'deploy', 'k8s');
const TIERS: [string, string][] = [
  ['Deployment', 'front-end'],
  ['Deployment', 'back-end'],
  ['Deployment', 'mailer'],
  ['StatefulSet', 'db'],
  ['StatefulSet', 'messaging'],
];

let objects: K8sObject[];
let secretValues: string[];

const container = (objs: K8sObject[], kind: string, name: string): Container => podTemplateOf(named(objs, kind, name)!)!.spec.containers[0]!;

beforeAll(() => {
  ({ objects, secretValues } = renderKustomization(K8S_DIR));
});

describe('deploy/k8s renders', () => {
  it('into the objects each tier needs', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`);
    for (const expected of [
      ...TIERS.map(([kind, name]) => `${kind}/${name}`),
      'Service/db-rw',
      'Service/db-r',
      'Service/messaging',
      'Service/front-end',
      'Job/messaging-broker-users',
      'PodDisruptionBudget/db',
      'PodDisruptionBudget/messaging',
      'HorizontalPodAutoscaler/front-end',
      'HorizontalPodAutoscaler/back-end',
      'Role/db-patroni',
      'Role/messaging-peer-discovery',
      'ConfigMap/messaging-config',
      'Secret/gatehouse-secrets',
    ]) {
      expect(names).toContain(expected);
    }
    expect((named(objects, 'Service', 'front-end')!.spec as { type: string }).type).toBe('LoadBalancer');
  });

  it('into objects that validate against the Kubernetes schemas', () => {
    expect(objects.flatMap(validateObject)).toEqual([]);
  });

  it('refuses an unknown (misspelled) field and a wrong type', () => {
    const broken = clone(named(objects, 'Deployment', 'front-end')!) as K8sObject & { spec: { template: { spec: { containers: object[] } } } };
    Object.assign(broken.spec.template.spec.containers[0]!, { readinesProbe: { httpGet: { path: '/readyz', port: 3000 } } });
    expect(validateObject(broken)).toEqual([expect.stringMatching(/unknown field \.spec\.template\.spec\.containers\[0\]\.readinesProbe$/)]);
    const wrongType = clone(named(objects, 'StatefulSet', 'db')!);
    (wrongType.spec as { replicas: unknown }).replicas = 'three';
    expect(validateObject(wrongType)).not.toEqual([]);
  });
});

describe('policy', () => {
  it('every long-running container has readiness and liveness probes', () => {
    expect(probeProblems(objects)).toEqual([]);
  });

  it('the probe check fails for a container without a liveness probe', () => {
    const broken = clone(objects);
    delete container(broken, 'Deployment', 'back-end').livenessProbe;
    expect(probeProblems(broken)).toEqual(['Deployment/back-end container back-end: no livenessProbe']);
  });

  it('every container (Jobs and init containers too) has cpu and memory requests and limits', () => {
    expect(resourceProblems(objects)).toEqual([]);
    const broken = clone(objects);
    delete container(broken, 'Job', 'messaging-broker-users').resources!.limits;
    expect(resourceProblems(broken)).toHaveLength(2);
  });

  it('every container runs as non-root', () => {
    expect(nonRootProblems(objects)).toEqual([]);
    const broken = clone(objects);
    container(broken, 'StatefulSet', 'messaging').securityContext!.runAsNonRoot = false;
    expect(nonRootProblems(broken)).toEqual(['StatefulSet/messaging container rabbitmq: not runAsNonRoot']);
  });

  it('images that allow it run on a read-only root filesystem, without privilege escalation or capabilities', () => {
    const hardened = (c: Container) => c.securityContext as { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
    for (const [kind, name] of [...TIERS, ['Job', 'messaging-broker-users']] as const) {
      const sc = hardened(container(objects, kind, name));
      expect(sc.allowPrivilegeEscalation, `${kind}/${name}`).toBe(false);
      expect(sc.capabilities?.drop, `${kind}/${name}`).toEqual(['ALL']);
      // RabbitMQ's image writes to paths it does not document (see messaging-k8s.yml).
      if (name !== 'messaging') expect(sc.readOnlyRootFilesystem, `${kind}/${name}`).toBe(true);
    }
  });

  it('no secret is written in the manifests: only the generated Secret holds them', () => {
    expect(secretValues).toHaveLength(13);
    expect(literalSecretProblems(objects, secretValues, ['gatehouse-secrets'])).toEqual([]);
    const broken = clone(objects);
    container(broken, 'Deployment', 'front-end').env!.push({ name: 'SESSION_SECRET', value: secretValues[0]! });
    expect(literalSecretProblems(broken, secretValues, ['gatehouse-secrets'])).toEqual([
      'Deployment/front-end container front-end: SESSION_SECRET has a literal value',
      'Deployment/front-end: contains a secret value',
    ]);
    const source = ['db-k8s.yml', 'messaging-k8s.yml', 'front-end-k8s.yml', 'back-end-k8s.yml', 'mailer-k8s.yml', 'network-policies.yml'].flatMap((f) =>
      parseObjects(readFileSync(join(K8S_DIR, f), 'utf8')),
    );
    expect(ofKind(source, 'Secret')).toEqual([]);
    expect(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')).not.toMatch(/literals:/);
    const committed = readdirSync(K8S_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ya?ml|conf|example|md)$/.test(f));
    expect(committed.length).toBeGreaterThan(10);
    for (const file of committed) expect(readFileSync(join(K8S_DIR, file), 'utf8'), file).not.toMatch(/change[-_ ]?me/i);
  });

  it('selectors match pod labels, autoscalers name a workload, StatefulSets have a headless Service', () => {
    expect(selectorProblems(objects)).toEqual([]);
    const broken = clone(objects);
    (named(broken, 'Service', 'messaging')!.spec as { selector: object }).selector = { app: 'rabbitmq' };
    (named(broken, 'HorizontalPodAutoscaler', 'back-end')!.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'backend';
    expect(selectorProblems(broken)).toEqual(['Service/messaging: selects no pods', 'HorizontalPodAutoscaler/back-end: no Deployment/backend']);
  });

  it('the database Services select the role labels Patroni 4 sets (primary, no longer master)', () => {
    expect((named(objects, 'Service', 'db-rw')!.spec as { selector: object }).selector).toMatchObject({ app: 'db', role: 'primary' });
    expect((named(objects, 'Service', 'db-r')!.spec as { selector: object }).selector).toMatchObject({ app: 'db', role: 'replica' });
  });

  it('Services target ports that the selected containers expose', () => {
    expect(targetPortProblems(objects)).toEqual([]);
    const broken = clone(objects);
    (named(broken, 'Service', 'db-rw')!.spec as { ports: { targetPort: string }[] }).ports[0]!.targetPort = 'postgres';
    expect(targetPortProblems(broken)).toEqual(['Service/db-rw: targetPort postgres is no container port']);
  });

  it('every tier runs 3 replicas', () => {
    expect(replicaProblems(objects, TIERS)).toEqual([]);
    const broken = clone(objects);
    (named(broken, 'StatefulSet', 'db')!.spec as { replicas: number }).replicas = 1;
    expect(replicaProblems(broken, TIERS)).toEqual(['StatefulSet/db: 1 replicas, expected 3']);
  });
});

describe('network policies', () => {
  it('allow exactly the tier rule: Front End -> Messaging; Back End -> Messaging and Database; Database <- Back End and peers', () => {
    expect(matrixProblems(objects)).toEqual([]);
    expect(coverageProblems(objects)).toEqual([]);
  });

  it('allow only the ports each tier uses, and DNS for everyone', () => {
    const policies = policiesOf(objects);
    const pod = (group: string) => podsOf(objects).find((p) => p.group === group)!;
    expect(allowed(policies, pod('front-end'), pod('messaging'), 5672)).toBe(true);
    expect(allowed(policies, pod('front-end'), pod('messaging'), 15672)).toBe(false);
    expect(allowed(policies, pod('broker-users'), pod('messaging'), 15672)).toBe(true);
    expect(allowed(policies, pod('broker-users'), pod('messaging'), 5672)).toBe(false);
    expect(allowed(policies, pod('back-end'), pod('db'), 5432)).toBe(true);
    expect(allowed(policies, pod('back-end'), pod('db'), 8008)).toBe(false);
    expect(allowed(policies, pod('db'), pod('db'), 8008)).toBe(true);
    expect(allowed(policies, pod('outside'), pod('front-end'), 3000)).toBe(true);
    expect(allowed(policies, pod('mailer'), pod('messaging'), 5672)).toBe(true);
    expect(allowed(policies, pod('mailer'), pod('db'), 5432)).toBe(false);
    // Its SMTP server is outside the cluster: any address, on the SMTP ports only.
    const smtpServer = { group: 'smtp', namespace: 'elsewhere', labels: {}, ports: [] };
    expect(allowed(policies, pod('mailer'), smtpServer, 587)).toBe(true);
    expect(allowed(policies, pod('mailer'), smtpServer, 5432)).toBe(false);
    for (const group of ['front-end', 'back-end', 'mailer', 'db', 'messaging', 'broker-users']) expect(allowed(policies, pod(group), pod('dns'), 53, 'UDP')).toBe(true);
  });

  it('the matrix check fails when the database admits the Front End instead of the Back End', () => {
    const broken = clone(objects);
    const db = named(broken, 'NetworkPolicy', 'db')!.spec as { ingress: { from: { podSelector: { matchLabels: object } }[] }[] };
    db.ingress[0]!.from[0]!.podSelector.matchLabels = { app: 'front-end' };
    expect(matrixProblems(broken)).toEqual(['back-end -> db: refused, expected allowed']);
  });

  it('the matrix check fails when the Front End may reach the database', () => {
    const broken = clone(objects);
    (named(broken, 'NetworkPolicy', 'front-end')!.spec as { egress: object[] }).egress.push({});
    (named(broken, 'NetworkPolicy', 'db')!.spec as { ingress: object[] }).ingress.push({ from: [{ podSelector: { matchLabels: { app: 'front-end' } } }] });
    // Its open egress also reaches the other Front Ends, which accept anyone on 3000.
    expect(matrixProblems(broken)).toEqual(['front-end -> front-end: allowed, expected refused', 'front-end -> db: allowed, expected refused']);
  });

  it('the coverage check fails when a tier has no policy', () => {
    const broken = clone(objects).filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'front-end'));
    expect(coverageProblems(broken)).toEqual(['front-end: no Ingress policy selects it', 'front-end: no Egress policy selects it']);
  });
});

describe('configuration', () => {
  it("RabbitMQ's ConfigMap holds every shared rabbitmq.conf line, k8s peer discovery and the plugins", () => {
    const data = (ofKind(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('messaging-config'))!.data ?? {}) as Record<string, string>;
    const lines = data['rabbitmq.conf']!.split('\n').map((l) => l.trim());
    for (const line of RABBITMQ_SHARED_CONF) expect(lines).toContain(line);
    expect(lines).toContain('cluster_formation.peer_discovery_backend = k8s');
    expect(lines).toContain('cluster_formation.k8s.service_name = messaging-headless');
    for (const plugin of [...RABBITMQ_PLUGINS, 'rabbitmq_prometheus', 'rabbitmq_peer_discovery_k8s']) expect(data.enabled_plugins).toContain(plugin);
  });

  it("RabbitMQ reads that config where gatehouse/messaging looks, after its defaults, with the image's cookie and admin variables", () => {
    const rabbit = container(objects, 'StatefulSet', 'messaging') as Container & { volumeMounts: { name: string; mountPath: string; subPath?: string }[] };
    expect(rabbit.volumeMounts.filter((m) => m.name === 'config')).toEqual([
      expect.objectContaining({ mountPath: '/etc/rabbitmq/conf.d/20-gatehouse.conf', subPath: 'rabbitmq.conf' }),
      expect.objectContaining({ mountPath: '/etc/rabbitmq/enabled_plugins', subPath: 'enabled_plugins' }),
    ]);
    expect(rabbit.env!.map((e) => e.name)).toEqual(expect.arrayContaining(['RABBITMQ_DEFAULT_USER', 'RABBITMQ_DEFAULT_PASS', 'RABBITMQ_ERLANG_COOKIE']));
  });

  it('every image is one built here, under the names and tags compose uses; kustomize retags them all', () => {
    const images = new Set(objects.flatMap((o) => (podTemplateOf(o) ? containersOf(podTemplateOf(o)!.spec).map(({ container }) => container.image) : [])));
    expect([...images].sort()).toEqual(['gatehouse/back-end:latest', 'gatehouse/db:latest', 'gatehouse/front-end:latest', 'gatehouse/mailer:latest', 'gatehouse/messaging:latest']);
    const kustomization = readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8');
    for (const image of images) expect(kustomization).toContain(`- name: ${image!.replace(/:latest$/, '')}\n    newTag: latest`);
  });

  it('the Front End, Back End and Mailer get only variables their config modules read, and every required one', () => {
    expect(envProblems(container(objects, 'Deployment', 'front-end'), FRONT_END_VARIABLES, FRONT_END_REQUIRED, FRONT_END_HELPERS)).toEqual([]);
    expect(envProblems(container(objects, 'Deployment', 'back-end'), BACK_END_VARIABLES, BACK_END_REQUIRED, BACK_END_HELPERS)).toEqual([]);
    expect(envProblems(container(objects, 'Deployment', 'mailer'), MAILER_VARIABLES, MAILER_REQUIRED, MAILER_HELPERS)).toEqual([]);
    for (const [kind, name] of [['Deployment', 'front-end'], ['Deployment', 'back-end'], ['Deployment', 'mailer']] as const) {
      const env = container(objects, kind, name).env!;
      expect(env.find((e) => e.name === 'REQUEST_QUEUE_MODE')?.value).toBe('quorum');
      expect(env.find((e) => e.name === 'AMQP_URL')?.value).toMatch(new RegExp(`^amqp://gatehouse-${name}:\\$\\(\\w+\\)@messaging:5672$`));
    }
  });

  it('the env check fails for an unknown variable, a missing one, and a $(VAR) used before it is defined', () => {
    const broken = clone(container(objects, 'Deployment', 'back-end'));
    broken.env = broken.env!.filter((e) => e.name !== 'DATABASE_READ_URL').reverse();
    broken.env.push({ name: 'DB_HOST', value: 'db-rw' });
    expect(envProblems(broken, BACK_END_VARIABLES, BACK_END_REQUIRED, BACK_END_HELPERS)).toEqual([
      'back-end: DB_HOST is not read by the service',
      'back-end: DATABASE_READ_URL is missing',
      'back-end: $(GATEHOUSE_DB_PASSWORD) is not defined before it is used',
      'back-end: $(BACK_END_AMQP_PASSWORD) is not defined before it is used',
    ]);
  });

  it('the broker-user Job runs the one-shot from the Back End image, for three nodes', () => {
    const job = container(objects, 'Job', 'messaging-broker-users');
    expect(job.image).toBe('gatehouse/back-end:latest');
    expect((job as { command?: string[] }).command).toEqual(['node', 'packages/operations/dist/setup-broker-users-cli.js']);
    expect(job.env!.find((e) => e.name === 'RABBITMQ_EXPECTED_NODES')?.value).toBe('3');
  });
});
