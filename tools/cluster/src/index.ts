export { Cluster, ClusterError, type Progress } from './cluster.js';
export { clusterStatus, formatStatus, type ClusterStatus, type NodeStatus } from './status.js';
export { switchover } from './switchover.js';
export { caughtMails, mailFolder, type CaughtMail } from './mail/mailbox.js';
export { nodesOf, type ClusterPlan, type NodeSpec, type NodeKind } from './plan.js';
export { amqpUrls } from './nodes/app.js';
