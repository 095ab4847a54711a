import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { nodeDir, type ClusterPlan } from '../plan.js';

/** One mail the cluster's SMTP catcher accepted. */
export interface CaughtMail {
  file: string;
  to: string[];
  subject: string;
  /** The first link in its text, if any (a reset or verification link). */
  link?: string;
}

/** Where the SMTP catcher keeps its mails. */
export const mailFolder = (plan: ClusterPlan) => join(nodeDir(plan, 'smtp'), 'mail');

/** Every mail caught so far, oldest first, parsed with mailparser. */
export async function caughtMails(plan: ClusterPlan): Promise<CaughtMail[]> {
  const folder = mailFolder(plan);
  if (!existsSync(folder)) return [];
  const files = (await readdir(folder)).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(files.map(async (file) => {
    const mail = await simpleParser(await readFile(join(folder, file)));
    const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
    return { file: join(folder, file), to, subject: mail.subject ?? '', link: /https?:\/\/\S+/.exec(mail.text ?? '')?.[0] };
  }));
}
