import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerNames } from '@fedssd/protocol';
import { endpointLabel } from '@fedssd/transport';
import { waitFor } from '../../tools/test-support/processes.js';
import { createRun, expectExactFinish, midTraining } from './helpers/exact.js';
import { sampleUsage, type Usage } from './helpers/proc-usage.js';
import { accepts, clusterUnavailable, startRabbitCluster, type RabbitCluster } from './helpers/rabbitmq-cluster.js';
import { referenceModel, TINY_RUN } from './helpers/reference.js';
import { localPortsOf } from './helpers/sockets.js';
import { createStack, logLines, skipOrFail, startServices, type Stack } from './helpers/stack.js';

/**
 * Broker node loss: a 3-node RabbitMQ cluster of the test's own (helpers/rabbitmq-cluster.ts),
 * the api, the aggregator and two trainers as processes with RABBITMQ_URL listing all three
 * nodes. Every service connects to the first node, and the stack's own connection declares the
 * quorum queues there, so node 1 leads every queue and holds every connection: the harshest
 * single-node loss. Mid-training of round 1, node 1's VM is SIGKILLed (a crash: no leader
 * hand-over, no connection close). The run must finish with the simulateRun bytes.
 */
let cluster: RabbitCluster | undefined;
let stack: Stack | string;
let reference: Buffer;
let idle: Usage | undefined;
const TRAINERS = ['t1', 't2'];

beforeAll(async () => {
  const missing = clusterUnavailable();
  if (missing !== undefined) {
    stack = missing;
    return;
  }
  const c = await startRabbitCluster();
  cluster = c;
  console.log(`[cluster] 3 nodes booted in ${c.bootMs} ms, clustered and accepting AMQP ${c.startupMs} ms after spawn`);
  // Idle: clustered, no clients yet.
  const idleSampler = sampleUsage(c.nodes.map((n) => n.pid()));
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  idle = await idleSampler.stop();
  const survivor = c.nodes[1]!; // node 2 is never stopped: rabbitmqctl goes through it
  stack = await createStack('cluster', { rabbitmq: { url: c.url, ctl: (args) => c.ctl(survivor, args) } });
  if (typeof stack === 'string') return;
  [reference] = await Promise.all([referenceModel(TINY_RUN), startServices(stack, TRAINERS)]);
});

afterAll(async () => {
  try {
    if (typeof stack !== 'string') await stack?.cleanup();
  } finally {
    await cluster?.close();
  }
});

function live(skip: (note: string) => void): [Stack, RabbitCluster] {
  if (typeof stack === 'string' || cluster === undefined) {
    skipOrFail(typeof stack === 'string' ? stack : 'no cluster', skip);
    throw new Error('unreachable');
  }
  return [stack, cluster];
}

const line = (u: Usage, pids: readonly number[]) =>
  pids.map((p, i) => `c${i + 1} ${((u.cpu[p] ?? NaN) * 100).toFixed(0)} % CPU, ${(u.peakRssMiB[p] ?? NaN).toFixed(0)} MiB`).join('; ');

describe('3-node RabbitMQ cluster, quorum queues (final model equals simulateRun bit for bit)', () => {
  it('when the node that leads every queue and holds every connection is SIGKILLed mid-training, then the services move to another node and the run finishes exactly', async (ctx) => {
    const [s, c] = live(ctx.skip);
    const [first, second] = c.nodes;
    const pids = c.nodes.map((n) => n.pid());
    // The harsh case holds: node 1 leads every queue of the run and every service is connected to it.
    const queues = await c.queues(second!, s.prefix);
    const names = brokerNames(s.prefix);
    expect(Object.keys(queues)).toEqual(expect.arrayContaining([names.jobs, names.updates, names.control, names.dead, names.jobFailures]));
    for (const [name, q] of Object.entries(queues)) expect(q, name).toEqual({ type: 'quorum', leader: first!.name });
    for (const p of s.services.values())
      expect((await localPortsOf(p.child.pid!, first!.port)).length, `${p.name} on node 1`).toBeGreaterThan(0);

    const usage = sampleUsage(pids);
    const runId = await createRun(s);
    await midTraining(s, runId);
    const killedAt = Date.now();
    await c.kill(first!);

    // The fault landed: node 1 refuses connections and the survivors see it gone; queues elected new leaders.
    expect(await accepts(first!.port)).toBe(false);
    expect(await c.runningNodes(second!)).toEqual([c.nodes[1]!.name, c.nodes[2]!.name].sort());
    const moved = await waitFor(
      'new leaders for every queue',
      async () => {
        const leaders = Object.values(await c.queues(second!, s.prefix)).map((q) => q.leader);
        const survivors = [c.nodes[1]!.name, c.nodes[2]!.name];
        return leaders.length === Object.keys(queues).length && leaders.every((l) => survivors.includes(l)) ? leaders : undefined;
      },
      30_000,
      500,
    );
    // Every service reconnected to a surviving node (its log names the endpoint) and holds a connection there.
    const reconnectMs: number[] = [];
    const survivors = new Set(c.nodes.slice(1).map((n) => endpointLabel(`amqp://127.0.0.1:${n.port}`)));
    for (const p of s.services.values()) {
      const reconnected = await waitFor(
        `${p.name} to reconnect to node 2 or 3`,
        async () =>
          logLines(p.output()).find(
            (l) =>
              l.msg === 'broker connection' &&
              l.event === 'connected' &&
              survivors.has((l.detail as { endpoint?: string })?.endpoint ?? ''),
          ),
        30_000,
        200,
      );
      const after = Date.parse(String(reconnected.time)) - killedAt;
      expect(after, 'a reconnect after the kill, not the first connection').toBeGreaterThanOrEqual(-1_000);
      reconnectMs.push(after);
    }
    await expectExactFinish(s, runId, reference);
    const during = await usage.stop();
    const ports = await Promise.all([...s.services.values()].map(async (p) => (await localPortsOf(p.child.pid!, first!.port)).length));
    expect(
      ports.every((n) => n === 0),
      'nothing left on node 1',
    ).toBe(true);
    console.log(
      `[cluster] killed ${first!.name}; leaders now ${JSON.stringify(moved)}; services reconnected ${reconnectMs.join(', ')} ms after the kill`,
    );
    console.log(`[cluster] idle (${idle!.seconds.toFixed(0)} s, no clients): ${line(idle!, pids)}`);
    console.log(`[cluster] during the run (${during.seconds.toFixed(0)} s, c1 until killed): ${line(during, pids)}`);
  });
});
