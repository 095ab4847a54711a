import {
  containersOf,
  ofKind,
  podTemplateOf,
  selects,
  workloads,
  type Container,
  type K8sObject,
  type Labels,
  type PodTemplate,
} from './k8s-support.js';

/** Policy checks on rendered objects. Each returns its problems; an empty list passes. */

const each = (objects: K8sObject[]) =>
  workloads(objects).flatMap((w) => {
    const template = podTemplateOf(w)!;
    return containersOf(template.spec).map(({ container, init }) => ({ w, template, container, init, where: `${w.kind}/${w.metadata.name} ${init ? 'init ' : ''}container ${container.name}` }));
  });

/** Long-running containers need both probes (Jobs finish; init containers cannot have them). */
export function probeProblems(objects: K8sObject[]): string[] {
  return each(objects)
    .filter(({ w, init }) => w.kind !== 'Job' && !init)
    .flatMap(({ container, where }) => [
      ...(container.readinessProbe ? [] : [`${where}: no readinessProbe`]),
      ...(container.livenessProbe ? [] : [`${where}: no livenessProbe`]),
    ]);
}

/** cpu and memory requests and limits on every container, Jobs and init containers included. */
export function resourceProblems(objects: K8sObject[]): string[] {
  return each(objects).flatMap(({ container, where }) =>
    (['requests', 'limits'] as const).flatMap((kind) =>
      (['cpu', 'memory'] as const).filter((r) => container.resources?.[kind]?.[r] === undefined).map((r) => `${where}: no ${r} in resources.${kind}`),
    ),
  );
}

/** runAsNonRoot on the container, or on the pod and not switched off by the container. */
export function nonRootProblems(objects: K8sObject[]): string[] {
  return each(objects)
    .filter(({ template, container }) => {
      const own = container.securityContext?.runAsNonRoot;
      return !(own === true || (own === undefined && template.spec.securityContext?.runAsNonRoot === true));
    })
    .map(({ where }) => `${where}: not runAsNonRoot`);
}

/** Names that would hold a secret (PASS: also RABBITMQ_DEFAULT_PASS), and the flags among them that do not. */
const SECRET_NAME = /PASS|SECRET|COOKIE|TOKEN/;
const NOT_SECRETS = new Set(['COOKIE_SECURE']);

/**
 * Secrets come only from the generated Secret: no literal value for a secret-named variable, no
 * secret value anywhere outside a Secret, and every Secret is kustomize-generated (hash suffix).
 */
export function literalSecretProblems(objects: K8sObject[], secretValues: string[], generatedSecrets: string[]): string[] {
  const problems = each(objects).flatMap(({ container, where }) =>
    (container.env ?? [])
      .filter((e) => SECRET_NAME.test(e.name) && !NOT_SECRETS.has(e.name) && e.value !== undefined)
      .map((e) => `${where}: ${e.name} has a literal value`),
  );
  for (const obj of objects) {
    if (obj.kind === 'Secret') {
      if (!generatedSecrets.some((name) => new RegExp(`^${name}-[a-z0-9]{10}$`).test(obj.metadata.name))) problems.push(`Secret/${obj.metadata.name}: not from the secretGenerator`);
      continue;
    }
    const text = JSON.stringify(obj);
    for (const value of secretValues) if (text.includes(value)) problems.push(`${obj.kind}/${obj.metadata.name}: contains a secret value`);
  }
  return problems;
}

/**
 * Labels set on a running pod by something other than its template: Patroni labels its pods
 * role=master or role=replica (PATRONI_KUBERNETES_LABELS marks a Patroni container).
 */
function runtimeLabels(template: PodTemplate): string[] {
  const patroni = template.spec.containers.some((c) => c.env?.some((e) => e.name === 'PATRONI_KUBERNETES_LABELS'));
  return patroni ? ['role'] : [];
}

function selectsTemplate(selector: Labels, template: PodTemplate): boolean {
  const fixed = Object.fromEntries(Object.entries(selector).filter(([k]) => !runtimeLabels(template).includes(k)));
  return Object.keys(fixed).length > 0 && selects(fixed, template.metadata?.labels ?? {});
}

const matchLabels = (obj: K8sObject) => ((obj.spec as { selector?: { matchLabels?: Labels } }).selector?.matchLabels ?? {});

/** Workloads select their own pods; Services, PDBs and policies select some workload's pods; HPAs name a workload. */
export function selectorProblems(objects: K8sObject[]): string[] {
  const templates = workloads(objects).map((w) => podTemplateOf(w)!);
  const anySelected = (selector: Labels) => templates.some((t) => selectsTemplate(selector, t));
  const problems: string[] = [];
  for (const w of workloads(objects).filter((o) => o.kind !== 'Job')) {
    if (!selects(matchLabels(w), podTemplateOf(w)!.metadata?.labels ?? {})) problems.push(`${w.kind}/${w.metadata.name}: selector does not match its pod labels`);
  }
  for (const svc of ofKind(objects, 'Service')) {
    const selector = (svc.spec as { selector?: Labels }).selector ?? {};
    if (!anySelected(selector)) problems.push(`Service/${svc.metadata.name}: selects no pods`);
  }
  for (const pdb of ofKind(objects, 'PodDisruptionBudget')) if (!anySelected(matchLabels(pdb))) problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no pods`);
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    const selector = (policy.spec as { podSelector: { matchLabels?: Labels } }).podSelector.matchLabels ?? {};
    if (!anySelected(selector)) problems.push(`NetworkPolicy/${policy.metadata.name}: selects no pods`);
  }
  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string; apiVersion: string } }).scaleTargetRef;
    const found = objects.find((o) => o.kind === target.kind && o.metadata.name === target.name && o.apiVersion === target.apiVersion);
    if (!found || !['Deployment', 'StatefulSet'].includes(found.kind)) problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: no ${target.kind}/${target.name}`);
  }
  for (const sts of ofKind(objects, 'StatefulSet')) {
    const serviceName = (sts.spec as { serviceName: string }).serviceName;
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName);
    if ((svc?.spec as { clusterIP?: string } | undefined)?.clusterIP !== 'None') problems.push(`StatefulSet/${sts.metadata.name}: no headless Service ${serviceName}`);
  }
  return problems;
}

/** Every Service port's targetPort (number or name; default: the port) is a port of the selected containers. */
export function targetPortProblems(objects: K8sObject[]): string[] {
  const templates = workloads(objects).map((w) => podTemplateOf(w)!);
  return ofKind(objects, 'Service').flatMap((svc) => {
    const spec = svc.spec as { selector?: Labels; ports: { port: number; targetPort?: number | string }[] };
    const containers: Container[] = templates.filter((t) => selectsTemplate(spec.selector ?? {}, t)).flatMap((t) => t.spec.containers);
    return spec.ports
      .filter(({ port, targetPort = port }) => !containers.some((c) => c.ports?.some((p) => p.containerPort === targetPort || p.name === targetPort)))
      .map(({ port, targetPort = port }) => `Service/${svc.metadata.name}: targetPort ${targetPort} is no container port`);
  });
}

/** Each tier runs three pods, and its autoscaler never goes below three. */
export function replicaProblems(objects: K8sObject[], tiers: [kind: string, name: string][]): string[] {
  return tiers.flatMap(([kind, name]) => {
    const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!obj) return [`${kind}/${name}: missing`];
    const replicas = (obj.spec as { replicas?: number }).replicas;
    const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === name);
    const min = (hpa?.spec as { minReplicas?: number } | undefined)?.minReplicas;
    return [
      ...(replicas === 3 ? [] : [`${kind}/${name}: ${replicas} replicas, expected 3`]),
      ...(hpa && min !== 3 ? [`HorizontalPodAutoscaler/${hpa.metadata.name}: minReplicas ${min}, expected 3`] : []),
    ];
  });
}

/**
 * A container's environment: names it may set (the service's own variables plus the listed
 * helpers), names it must set, helpers used only in $(...) expansions, and each expansion naming
 * a variable defined earlier in the list (Kubernetes leaves later or unknown ones unexpanded).
 */
export function envProblems(container: Container, allowed: readonly string[], required: readonly string[], helpers: readonly string[]): string[] {
  const env = container.env ?? [];
  const names = env.map((e) => e.name);
  const problems = [
    ...names.filter((n) => !allowed.includes(n) && !helpers.includes(n)).map((n) => `${container.name}: ${n} is not read by the service`),
    ...required.filter((n) => !names.includes(n)).map((n) => `${container.name}: ${n} is missing`),
  ];
  const references = env.flatMap((e, i) => [...(e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => ({ name: m[1]!, at: i })));
  for (const { name, at } of references) {
    if (!names.slice(0, at).includes(name)) problems.push(`${container.name}: $(${name}) is not defined before it is used`);
  }
  for (const helper of helpers.filter((h) => names.includes(h))) {
    if (!references.some((r) => r.name === helper)) problems.push(`${container.name}: helper ${helper} is never used in a $(...) expansion`);
  }
  return problems;
}
