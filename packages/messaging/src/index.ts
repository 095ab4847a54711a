export * from './errors.js';
export * from './rpc-types.js';
export * from './serve-request.js';
export { connectAmqp, connectionTarget, describeBroker } from './connection.js';
export { declareRequestQueue, requestQueueOptions, deadLetterQueueName, DELIVERY_LIMIT, type QueueMode } from './request-queue.js';
export { AmqpRpcClient, type AmqpRpcClientOptions } from './rpc-client.js';
export { startRpcServer, type RpcServer, type RpcServerOptions } from './rpc-server.js';
export { InProcessRpc } from './in-process-rpc.js';
export type { Connection } from 'rabbitmq-client';
