import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection } from 'rabbitmq-client';
import { BROKER_MAX_MESSAGE_BYTES } from '@gatehouse/protocol';
import { freePorts } from '../test/harness/free-port.js';

const exec = promisify(execFile);
const docker = async (...args: string[]) => (await exec('docker', args, { maxBuffer: 4 << 20 })).stdout.trim();

export interface ContainerBroker {
  url: string;
  /** The image's RabbitMQ, e.g. "RabbitMQ 4.0.5". */
  version: string;
  /** The container's process on this machine (its init), for the CPU of its tree. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * One RabbitMQ node from `image` (gatehouse/messaging: Debian's RabbitMQ 4.0) on the host's
 * network, so its CPU and its round trips compare with the harness's node without Docker's
 * port forwarding in between. Every port is a free loopback one: this machine's own RabbitMQ
 * keeps 5672, 15672 and 25672. Its administrator's password is made here, for this run only.
 */
export async function startRabbitContainer(image: string): Promise<ContainerBroker> {
  await docker('image', 'inspect', image).catch(() => {
    throw new Error(`no Docker image ${image}: build it first (docker build -t gatehouse/messaging:latest deploy/messaging, docs/deployment.md), and make sure dockerd runs (bash scripts/ensure-docker.sh)`);
  });
  const [amqp, management, prometheus, dist] = (await freePorts(4)) as [number, number, number, number];
  const password = randomBytes(18).toString('base64url');
  const name = `gatehouse-bench-rabbitmq-${randomBytes(3).toString('hex')}`;
  const confDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-rmq-'));
  await writeFile(join(confDir, '20-bench.conf'), [
    `listeners.tcp.1 = 127.0.0.1:${amqp}`,
    'management.tcp.ip = 127.0.0.1',
    `management.tcp.port = ${management}`,
    'prometheus.tcp.ip = 127.0.0.1',
    `prometheus.tcp.port = ${prometheus}`,
    'loopback_users.guest = true',
    `max_message_size = ${BROKER_MAX_MESSAGE_BYTES}`,
    '',
  ].join('\n'), { mode: 0o644 });
  const remove = async () => {
    await docker('rm', '--force', name).catch(() => undefined);
    await rm(confDir, { recursive: true, force: true });
  };
  try {
    await docker('run', '--detach', '--name', name, '--network', 'host',
      '--env', 'RABBITMQ_DEFAULT_USER=bench', '--env', `RABBITMQ_DEFAULT_PASS=${password}`,
      '--env', `RABBITMQ_NODENAME=${name}@localhost`, '--env', `RABBITMQ_DIST_PORT=${dist}`,
      '--env', 'RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}',
      '--volume', `${join(confDir, '20-bench.conf')}:/etc/rabbitmq/conf.d/20-bench.conf:ro`,
      image);
    const url = `amqp://bench:${encodeURIComponent(password)}@127.0.0.1:${amqp}`;
    await waitForBroker(url, name);
    const version = `RabbitMQ ${await docker('exec', name, 'rabbitmqctl', 'version')}`;
    const pid = Number(await docker('inspect', '--format', '{{.State.Pid}}', name));
    return { url, version, pid, stop: remove };
  } catch (err) {
    const logs = await docker('logs', '--tail', '30', name).catch(() => '');
    await remove();
    throw new Error(`${(err as Error).message}${logs ? `\n--- container log\n${logs}` : ''}`);
  }
}

/** Until an AMQP connection opens: the node has booted. */
async function waitForBroker(url: string, name: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const running = await docker('inspect', '--format', '{{.State.Running}}', name).catch(() => 'false');
    if (running !== 'true') throw new Error(`the broker container ${name} stopped while starting`);
    const connection = new Connection({ url, retryLow: 100, retryHigh: 100, connectionTimeout: 2000 });
    connection.on('error', () => undefined);
    try {
      await connection.onConnect(2000, true);
      return;
    } catch {
      if (Date.now() > until) throw new Error(`the broker container ${name} did not accept AMQP within ${timeoutMs / 1000} s`);
      await sleep(500);
    } finally {
      await connection.close();
    }
  }
}
