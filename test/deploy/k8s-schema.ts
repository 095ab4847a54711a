import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import type { K8sObject } from './k8s-support.js';

interface ModelClass {
  new (data: object): { validate(): void };
  prototype: { validate(this: object): void };
}

const GROUPS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'batch/v1': batch,
  'networking.k8s.io/v1': networking,
  'policy/v1': policy,
  'rbac.authorization.k8s.io/v1': rbac,
};

function modelFor(obj: K8sObject): ModelClass | undefined {
  const model = GROUPS[obj.apiVersion]?.[obj.kind];
  return typeof model === 'function' ? (model as ModelClass) : undefined;
}

interface Seen {
  keys: Set<string>;
  /** The validator walked every key: a map (labels, data), whose keys are all allowed. */
  enumerated: boolean;
}

/**
 * kubernetes-models' validators accept unknown fields (they check only the properties a schema
 * names). So the object is validated through proxies that record which properties the validator
 * reads: a schema property is always read, even when absent; a map's keys are enumerated. Any
 * other key is a field the schema does not know.
 */
function unknownFields(validate: (this: object) => void, root: object): string[] {
  const seen = new WeakMap<object, Seen>();
  const proxies = new WeakMap<object, object>();
  const wrap = (target: object): object => {
    const existing = proxies.get(target);
    if (existing) return existing;
    const record: Seen = { keys: new Set(), enumerated: false };
    seen.set(target, record);
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string') record.keys.add(key);
        const value: unknown = Reflect.get(t, key, receiver);
        return value !== null && typeof value === 'object' ? wrap(value) : value;
      },
      has(t, key) {
        if (typeof key === 'string') record.keys.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        record.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  try {
    validate.call(wrap(root));
  } catch {
    // Schema errors are reported by validateObject; only the unknown keys matter here.
  }
  const found: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (value === null || typeof value !== 'object') return;
    const record = seen.get(value);
    if (!record) return; // never looked into: a free-form value
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${path}[${i}]`));
    for (const [key, child] of Object.entries(value)) {
      if (!record.enumerated && !record.keys.has(key)) found.push(`${path}.${key}`);
      else walk(child, `${path}.${key}`);
    }
  };
  walk(root, '');
  return found;
}

/**
 * kustomize wraps a Secret's base64 values over several lines; the API server's decoder skips the
 * line breaks (Go's base64 ignores \r and \n), the byte format of kubernetes-models does not.
 */
function asSent(obj: K8sObject): K8sObject {
  if (obj.kind !== 'Secret' || typeof obj.data !== 'object' || obj.data === null) return obj;
  const data = Object.fromEntries(Object.entries(obj.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, '')]));
  return { ...obj, data };
}

/** Problems with one object: no model for its kind, schema errors, or fields the schema does not know. */
export function validateObject(rendered: K8sObject): string[] {
  const obj = asSent(rendered);
  const where = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  const Model = modelFor(obj);
  if (!Model) return [`${where}: no kubernetes-models class for ${obj.apiVersion} ${obj.kind}`];
  const problems: string[] = [];
  try {
    new Model(obj).validate();
  } catch (err) {
    problems.push(`${where}: ${(err as Error).message}`);
  }
  for (const field of unknownFields(Model.prototype.validate, obj)) problems.push(`${where}: unknown field ${field}`);
  return problems;
}
