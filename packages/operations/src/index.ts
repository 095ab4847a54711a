export * from './broker-users.js';
export * from './apply-broker-users.js';
export * from './patroni-settings.js';
export * from './rabbitmq-settings.js';
export * from './haproxy-config.js';
