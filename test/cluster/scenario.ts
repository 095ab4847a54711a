import { setTimeout as sleep } from 'node:timers/promises';
import { caughtMails, type Cluster } from '@gatehouse/cluster';
import { appUrl, failedLogins, storedProblems, waitUntilWhole } from './cluster-helpers.js';
import { Load, type LoadFigures } from './load.js';

export const LOAD_USERS = 3;

export interface ScenarioSteps {
  /** Break something; resolves once the fault is in place. */
  fault(): Promise<void>;
  /** How long the load keeps running with the fault in place. */
  observeMs: number;
  /** Restart what was broken. */
  repair(): Promise<void>;
}

export interface ScenarioResult {
  figures: LoadFigures;
  /** Acknowledged registrations the users table lacks, or that could not log in afterwards. */
  lost: string[];
  duplicates: number;
  /** Reset requests whose mail never came, or came more than once (targets with a mailbox). */
  mail?: { requested: number; missing: string[]; duplicated: string[] };
  load: Load;
}

/** What a scenario runs against: the local cluster here, a compose project in test/deploy-live. */
export interface ScenarioTarget {
  appUrl: string;
  /** Resolves once every part runs again and has rejoined; throws with what has not. */
  waitUntilWhole(): Promise<unknown>;
  /** Emails the users table holds more than once (counted), and acknowledged ones it lacks. */
  storedProblems(acknowledged: string[]): Promise<{ duplicates: number; missing: string[] }>;
  /** How many caught mails each address has received, where the target's SMTP server can be read. */
  mailsByRecipient?(): Promise<Map<string, number>>;
}

export const clusterTarget = (cluster: Cluster): ScenarioTarget => ({
  appUrl: appUrl(cluster),
  waitUntilWhole: () => waitUntilWhole(cluster),
  storedProblems: (acknowledged) => storedProblems(cluster, acknowledged),
  mailsByRecipient: async () => {
    const counts = new Map<string, number>();
    // Reset mails only: a registered address also gets its verification link (EMAIL_VERIFICATION).
    const resets = (await caughtMails(cluster.plan)).filter((mail) => /\/reset-password\?token=/.test(mail.link ?? ''));
    for (const mail of resets) for (const to of mail.to) counts.set(to.toLowerCase(), (counts.get(to.toLowerCase()) ?? 0) + 1);
    return counts;
  },
});

/** Runs one fault under a steady load on the local cluster (see runScenarioOn). */
export const runScenario = (cluster: Cluster, name: string, steps: ScenarioSteps): Promise<ScenarioResult> =>
  runScenarioOn(clusterTarget(cluster), name, steps);

/** Runs one fault under a steady load, then checks that nothing acknowledged was lost. */
export async function runScenarioOn(target: ScenarioTarget, name: string, steps: ScenarioSteps, tag = 'chaos'): Promise<ScenarioResult> {
  const load = new Load(target.appUrl, `${name.replace(/\W+/g, '-')}-${Date.now()}`, LOAD_USERS, 150, target.mailsByRecipient !== undefined);
  const from = Date.now();
  load.start();
  try {
    await sleep(3000); // a baseline before the fault
    await steps.fault();
    await sleep(steps.observeMs);
    await steps.repair();
    await target.waitUntilWhole();
    await sleep(2000);
  } finally {
    await load.stop();
  }
  const figures = load.figures(from, Date.now());
  const { duplicates, missing } = await target.storedProblems(load.acknowledged);
  const lost = [...missing, ...(await failedLogins(target.appUrl, load.acknowledged))];
  const mail = target.mailsByRecipient ? await mailProblems(target.mailsByRecipient, load.resetRequested) : undefined;
  console.log(
    `[${tag}] ${name}: sent ${figures.sent}, succeeded ${figures.succeeded}, failed ${figures.failed}, ` +
      `longest write gap ${(figures.longestWriteGapMs / 1000).toFixed(1)} s, longest gap ${(figures.longestGapMs / 1000).toFixed(1)} s, slowest ${(figures.slowestMs / 1000).toFixed(1)} s, ` +
      `acknowledged ${load.acknowledged.length}, lost ${lost.length}, duplicates ${duplicates}, unexpected ${figures.unexpected.length}, ` +
      (mail ? `reset mails ${mail.requested} requested, ${mail.missing.length} missing, ${mail.duplicated.length} sent twice, ` : '') +
      'whole again',
  );
  return { figures, lost, duplicates, mail, load };
}

/**
 * Waits (up to MAIL_WAIT_MS: a Mailer killed mid-send holds its claim for MAIL_LEASE_SECONDS)
 * until every requested address has a mail, then looks once more for any sent twice.
 */
async function mailProblems(count: () => Promise<Map<string, number>>, requested: string[]) {
  const deadline = Date.now() + MAIL_WAIT_MS;
  let counts = await count();
  const missing = () => requested.filter((to) => !counts.get(to.toLowerCase()));
  while (missing().length && Date.now() < deadline) {
    await sleep(1000);
    counts = await count();
  }
  await sleep(2000);
  counts = await count();
  return { requested: requested.length, missing: missing(), duplicated: requested.filter((to) => (counts.get(to.toLowerCase()) ?? 0) > 1) };
}

const MAIL_WAIT_MS = 60_000;
