/**
 * End-to-end orchestration overhead of a distributed round (issue 13 item 3): the real api,
 * aggregator and T trainers as processes on the machine's RabbitMQ and Redis, one run of R rounds,
 * and per round
 *
 *   overhead = round wall time (opened → closed, from the round record)
 *            / pure local training time (per trainer, the sum of its jobs' `trainSeconds`; the max over trainers)
 *
 * 1.00 would mean that publishing jobs, fetching the global model, uploading updates, validating,
 * folding and storing the new model cost nothing next to training. Both numbers come from the same
 * run, so a loaded machine slows both. Round 1 carries one-off costs (data loading, first kernels)
 * and the last round the run's final evaluation: both are printed but left out of the summary.
 *
 *   npm run bench:overhead -- [--model resnet18] [--width 0.25] [--trainers 2] [--images-per-client 512]
 *                             [--rounds 5] [--batch 32] [--backend auto]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { RoundRecord } from '@fedssd/protocol';
import { createAmqpTransport, createRedisStores, createRunRepository } from '@fedssd/transport';
import { freePort, startService, type ServiceProcess } from '../../tools/test-support/processes.js';
import { MissingPrerequisite, exitOnError } from './prerequisites.js';
import { median } from './run-process.js';
import { positiveInt } from './train-setup.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'resnet18' },
    width: { type: 'string', default: '0.25' },
    trainers: { type: 'string', default: '2' },
    'images-per-client': { type: 'string', default: '512' },
    rounds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '32' },
    backend: { type: 'string', default: 'auto' },
  },
});

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Resolves once `p` logged a JSON line whose msg is `msg`; rejects if it exits first. */
async function logged(p: ServiceProcess, msg: string, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (p.output().includes(`"msg":"${msg}"`)) return;
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}) before '${msg}':\n${p.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${p.name} did not log '${msg}' within ${timeoutMs} ms:\n${p.output().slice(-2000)}`);
}

/** Per trainer, the sum of its accepted jobs' training seconds; the round can close no sooner than the largest. */
export function localTrainingSeconds(round: RoundRecord): number {
  const perWorker = new Map<string, number>();
  for (const u of round.accepted) perWorker.set(u.workerId, (perWorker.get(u.workerId) ?? 0) + u.trainSeconds);
  return Math.max(0, ...perWorker.values());
}

async function main(): Promise<void> {
  const trainers = positiveInt('trainers', args.trainers);
  const rounds = positiveInt('rounds', args.rounds);
  if (rounds < 3) throw new RangeError(`--rounds must be >= 3 (round 1 and the last round are left out of the summary), got ${rounds}`);
  const perClient = positiveInt('images-per-client', args['images-per-client']);
  const width = Number(args.width);
  if (!(width > 0 && width <= 4)) throw new RangeError(`--width must be in (0, 4], got ${args.width}`);
  const prefix = `bench-overhead-${randomUUID().slice(0, 8)}`;
  let ours;
  try {
    // Our connection declares the topology under the private prefix (and proves both servers answer).
    const amqp = await createAmqpTransport({ url: RABBITMQ_URL, prefix, connectionName: prefix, startTimeoutMs: 3_000 });
    const redis = await createRedisStores({ url: REDIS_URL, keyPrefix: `${prefix}:`, connectTimeoutMs: 3_000 });
    ours = { amqp, redis };
  } catch (error) {
    throw new MissingPrerequisite(
      `RabbitMQ (${RABBITMQ_URL}) and Redis (${REDIS_URL}) must answer (set RABBITMQ_URL / REDIS_URL): ${(error as Error).message}`,
    );
  }
  const runs = createRunRepository(ours.redis.state, ours.redis.blobs);
  const token = `bench-${randomUUID()}`;
  const apiPort = await freePort();
  const env = { RABBITMQ_URL, REDIS_URL, FEDSSD_PREFIX: prefix, LOG_LEVEL: 'info', FEDSSD_BACKEND: args.backend };
  const services: ServiceProcess[] = [];
  try {
    services.push(startService('aggregator', 'aggregator', { ...env, AGGREGATOR_METRICS_PORT: '0', AGGREGATOR_EVAL_TEST_LIMIT: '100' }));
    for (let t = 1; t <= trainers; t += 1) {
      services.push(startService(`t${t}`, 'trainer', { ...env, TRAINER_METRICS_PORT: '0', TRAINER_ID: `t${t}` }));
    }
    services.push(startService('api', 'api', { ...env, API_PORT: String(apiPort), API_HOST: '127.0.0.1', API_TOKEN: token }));
    process.stderr.write(`[overhead] starting api, aggregator and ${trainers} trainers (prefix ${prefix})\n`);
    await Promise.all([
      logged(services[0]!, 'aggregator ready'),
      ...services.slice(1, 1 + trainers).map((p) => logged(p, 'trainer ready')),
      logged(services.at(-1)!, 'api listening'),
    ]);
    // One client per trainer: each round is exactly one job per trainer, trained side by side.
    const config = {
      model: args.model,
      modelWidth: width,
      clients: trainers,
      rounds,
      trainLimit: trainers * perClient,
      batchSize: positiveInt('batch', args.batch),
      alpha: 1000,
      localEpochs: 1,
      seed: 1,
      autoAdvance: true,
      evalEvery: 1000,
    };
    const res = await fetch(`http://127.0.0.1:${apiPort}/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(config),
    });
    if (res.status !== 201) throw new Error(`POST /v1/runs answered ${res.status}: ${await res.text()}`);
    const { runId } = (await res.json()) as { runId: string };
    const rows: Array<{ round: number; wall: number; local: number }> = [];
    for (let r = 1; r <= rounds; r += 1) {
      let rec: RoundRecord | null = null;
      for (const until = Date.now() + 30 * 60_000; Date.now() < until; await new Promise((res2) => setTimeout(res2, 250))) {
        rec = await runs.getRound(runId, r);
        if (rec?.status === 'closed') break;
        const run = await runs.getRun(runId);
        if (run?.status === 'failed') throw new Error(`run failed: ${run.error}`);
      }
      if (rec?.status !== 'closed' || rec.closedAt === undefined) throw new Error(`round ${r} did not close within 30 minutes`);
      const wall = (Date.parse(rec.closedAt) - Date.parse(rec.openedAt)) / 1000;
      const local = localTrainingSeconds(rec);
      rows.push({ round: r, wall, local });
      const note = r === 1 ? ' (warm-up, not in the summary)' : r === rounds ? ' (final evaluation, not in the summary)' : '';
      console.log(
        `RESULT kind=round model=${args.model} width=${width} trainers=${trainers} round=${r} wall_s=${wall.toFixed(2)} ` +
          `local_s=${local.toFixed(2)} overhead=${(wall / local).toFixed(3)} in_summary=${note === '' ? 1 : 0}`,
      );
      process.stderr.write(`[overhead] round ${r}/${rounds}: ${wall.toFixed(2)} s wall, ${local.toFixed(2)} s training${note}\n`);
    }
    const mid = rows.slice(1, -1);
    const ratio = median(mid.map((x) => x.wall / x.local));
    console.log(
      `RESULT kind=summary model=${args.model} width=${width} trainers=${trainers} images_per_client=${perClient} ` +
        `rounds=${mid.length} wall_s=${median(mid.map((x) => x.wall)).toFixed(2)} local_s=${median(mid.map((x) => x.local)).toFixed(2)} ` +
        `overhead=${ratio.toFixed(3)} goal=1.05`,
    );
  } finally {
    await Promise.all(services.map((p) => p.stop(20_000).catch(() => undefined)));
    await ours.amqp.deleteTopology().catch(() => undefined);
    await ours.amqp.close().catch(() => undefined);
    await ours.redis.deleteAll().catch(() => undefined);
    await ours.redis.close().catch(() => undefined);
  }
}

main().catch(exitOnError);
