import type { SystemStatus } from '@gatehouse/protocol';
import type { BrokerStatus } from './broker.js';
import type { PrimaryChange } from './primary-changes.js';
import type { MinuteTraffic } from './traffic.js';

/** What /status.json answers: the facts, and the same facts as display sections (the page script and `npm run status` draw those). */
export interface StatusReport {
  generatedAt: string;
  /** `in-process`: npm start's bus inside one process; `amqp`: RabbitMQ. */
  transport: 'amqp' | 'in-process';
  /** `brokerAddress`: this Front End's end of its broker connection, which tells "this one" among the broker's clients. */
  frontEnd: { instance: string; ready: boolean; rpcInFlight: number; brokerAddress?: string };
  tiers: Tier[];
  /** What a Back End answered to SYSTEM_STATUS, or why none did. */
  backEnd: { ok: true; status: SystemStatus } | { ok: false; reason: string };
  broker: BrokerStatus;
  traffic: MinuteTraffic[];
  /** When this Front End saw the primary change, over the last hour (only while someone read /status). */
  primaryChanges: PrimaryChange[];
  sections: Section[];
}

/** The facts a report's tiers and sections are drawn from. */
export type StatusFacts = Omit<StatusReport, 'tiers' | 'sections'>;

/** One block of the status picture, ready to draw as a table: the page, its script and `npm run status` all draw these. */
export interface Section {
  id: string;
  title: string;
  note?: string;
  columns: string[];
  rows: string[][];
}

export type Health = 'ok' | 'degraded' | 'down' | 'unknown';

export interface Replica {
  id: string;
  /** `ok`, or what is wrong with it. */
  health: string;
  detail: string;
  /** What the picture marks on the box: primary, leads the request queue, this one. */
  marks?: string[];
  /** Short facts for the box: consumers, lag. */
  facts?: string[];
}

export interface Tier {
  name: string;
  health: Health;
  replicas: Replica[];
  note?: string;
}
