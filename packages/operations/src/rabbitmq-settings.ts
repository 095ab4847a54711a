import { BROKER_MAX_MESSAGE_BYTES } from '@gatehouse/protocol';

/**
 * rabbitmq.conf lines every deployment shares (local cluster, compose, Kubernetes); each adds
 * its own listeners, peer discovery and default user. test/deploy checks the committed files.
 */
export const RABBITMQ_SHARED_CONF: readonly string[] = [
  // Guest may only ever log in from localhost; every deployment names its own admin user instead.
  'loopback_users.guest = true',
  // A node cut off from the other two stops serving rather than diverge from them.
  'cluster_partition_handling = pause_minority',
  // Refused by the broker, not parsed by a client: see BROKER_MAX_MESSAGE_BYTES.
  `max_message_size = ${BROKER_MAX_MESSAGE_BYTES}`,
];

/** The plugins every node runs. */
export const RABBITMQ_PLUGINS = ['rabbitmq_management'] as const;
