import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';

const run = promisify(execFile);

/**
 * Local ports of the established TCP connections process `pid` holds to `remotePort` on
 * 127.0.0.1 (from `ss`). Used to find exactly our own services' broker and Redis connections:
 * other engineers' processes share both servers, and the aggregator's connection name is not unique.
 */
export async function localPortsOf(pid: number, remotePort: number): Promise<number[]> {
  const { stdout } = await run('ss', ['-tnpH', 'state', 'established', `( dport = :${remotePort} )`]);
  const ports: number[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[2];
    const port = Number(local?.slice(local.lastIndexOf(':') + 1));
    if (Number.isInteger(port) && port > 0) ports.push(port);
  }
  return ports;
}

/** Closes, from the broker's side, every AMQP connection of process `pid`; returns how many. */
export async function closeBrokerConnectionsOf(pid: number, amqpPort = 5672): Promise<number> {
  const ports = new Set(await localPortsOf(pid, amqpPort));
  if (ports.size === 0) return 0;
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_connections', 'pid', 'peer_port']);
  let closed = 0;
  for (const line of stdout.split('\n')) {
    const [connPid, peerPort] = line.trim().split('\t');
    if (connPid === undefined || !ports.has(Number(peerPort))) continue;
    await run('rabbitmqctl', ['-q', 'close_connection', connPid, 'fault test: broker-side close']);
    closed += 1;
  }
  return closed;
}

/** `CLIENT KILL` on every Redis connection of process `pid` (through `admin`, our own client); returns how many. */
export async function killRedisClientsOf(admin: Redis, pid: number, redisPort = 6379): Promise<number> {
  let killed = 0;
  for (const port of await localPortsOf(pid, redisPort)) {
    killed += Number(await admin.call('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${port}`, 'SKIPME', 'yes').catch(() => 0));
  }
  return killed;
}
