import type { NodeKind } from '../plan.js';
import { app } from './app.js';
import type { NodeDriver } from './context.js';
import { etcd } from './etcd.js';
import { haproxy } from './haproxy.js';
import { patroni } from './patroni.js';
import { rabbitmq } from './rabbitmq.js';
import { smtp } from './smtp.js';

export const drivers: Record<NodeKind, NodeDriver> = {
  etcd,
  postgres: patroni,
  rabbitmq,
  haproxy,
  'back-end': app,
  smtp,
  mailer: app,
  'front-end': app,
};

export type { ClusterContext, NodeDriver } from './context.js';
