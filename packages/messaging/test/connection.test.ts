import { describe, expect, it } from 'vitest';
import { connectionTarget, describeBroker, requestQueueOptions } from '../src/index.js';

describe('connectionTarget', () => {
  it('turns a list of URLs into one host list with the first URL credentials', () => {
    const target = connectionTarget(['amqp://app:s%40cret@10.0.0.1:5673/prod', 'amqp://app:s%40cret@10.0.0.2']);
    expect(target).toEqual({
      hosts: ['10.0.0.1:5673', '10.0.0.2:5672'],
      username: 'app',
      password: 's@cret',
      vhost: 'prod',
      tls: false,
    });
  });

  it('uses the default vhost and the TLS port for amqps', () => {
    expect(connectionTarget(['amqps://u:p@host'])).toMatchObject({ hosts: ['host:5671'], vhost: '/', tls: true });
  });

  it('rejects a non-AMQP URL and an empty list', () => {
    expect(() => connectionTarget(['http://u:p@host'])).toThrow(/amqp:\/\//);
    expect(() => connectionTarget([])).toThrow(/at least one/);
  });

  it('describes brokers without credentials', () => {
    expect(describeBroker(['amqp://u:secret@h1:1', 'amqp://u:secret@h2:2'])).toBe('h1:1,h2:2');
  });
});

describe('requestQueueOptions', () => {
  it('declares the textbook queue exactly as pika does', () => {
    expect(requestQueueOptions('request', 'textbook')).toEqual({ queue: 'request', durable: false, exclusive: false, autoDelete: false });
  });

  it('declares a durable quorum queue with a delivery limit that dead-letters to its own exchange', () => {
    expect(requestQueueOptions('request', 'quorum')).toEqual({
      queue: 'request',
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5, 'x-dead-letter-exchange': 'request.dead-letter' },
    });
  });
});
