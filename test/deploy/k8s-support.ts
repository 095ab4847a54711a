import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, read loosely: the checks look at parts of it by path. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export type Labels = Record<string, string>;

export interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: { runAsNonRoot?: boolean };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean };
}

export interface PodTemplate {
  metadata?: { labels?: Labels };
  spec: PodSpec;
}

/** Kinds that run pods, and where their pod template is. */
export const WORKLOADS = ['Deployment', 'StatefulSet', 'Job'] as const;

export function podTemplateOf(obj: K8sObject): PodTemplate | undefined {
  if (!(WORKLOADS as readonly string[]).includes(obj.kind)) return undefined;
  return (obj.spec as { template: PodTemplate }).template;
}

export const workloads = (objects: K8sObject[]) => objects.filter((o) => podTemplateOf(o) !== undefined);
export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
export const named = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/** Every label in `selector` is on `labels` with the same value. */
export const selects = (selector: Labels, labels: Labels) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Containers and init containers of a pod, with which they are. */
export function containersOf(spec: PodSpec): { container: Container; init: boolean }[] {
  return [...spec.containers.map((container) => ({ container, init: false })), ...(spec.initContainers ?? []).map((container) => ({ container, init: true }))];
}

/** Fails with the command to install kubectl when it is missing. */
export function requireKubectl(): void {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  } catch {
    throw new Error('kubectl is needed to render deploy/k8s (kubectl kustomize). Install it: sudo apt-get install -y kubernetes-client');
  }
}

/**
 * A copy of a kustomization directory with every `secrets/NAME.example` turned into a random
 * `secrets/NAME`, as a user would create them. Returns the copy's path; remove it when done.
 */
export function withRandomSecrets(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-k8s-'));
  cpSync(source, dir, { recursive: true });
  const secrets = join(dir, 'secrets');
  for (const file of readdirSync(secrets).filter((f) => f.endsWith('.example'))) {
    writeFileSync(join(secrets, file.replace(/\.example$/, '')), randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return dir;
}

/** `kubectl kustomize` of a copy of `source` with random secrets, parsed into objects. */
export function renderKustomization(source: string): { objects: K8sObject[]; secretValues: string[] } {
  requireKubectl();
  const dir = withRandomSecrets(source);
  try {
    const secretValues = readdirSync(join(dir, 'secrets'))
      .filter((f) => !f.endsWith('.example') && !f.startsWith('.') && f !== 'README.md')
      .map((f) => readFileSync(join(dir, 'secrets', f), 'utf8'));
    const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return { objects: parseObjects(text), secretValues };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses a multi-document YAML stream; any YAML error fails. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as K8sObject | null;
    return value === null ? [] : [value];
  });
}

/** A deep copy to break on purpose in a test. */
export const clone = <T>(value: T): T => structuredClone(value);
