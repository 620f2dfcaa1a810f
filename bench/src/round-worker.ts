/**
 * One `bench:round` process: K updates of a ResNet-18 (full width by default) through a real
 * Redis and the aggregator's accept-and-fold code, one K and one mode per process so the peak
 * RSS is this K's. `round-bench.ts` starts a private redis-server per run and calls this.
 *
 *   node --conditions=source --import tsx bench/src/round-worker.ts --redis redis://127.0.0.1:PORT --clients 10 --mode arrival
 *
 * Per update: the "trainer" writes its blob (SET NX, not timed as aggregator work), then the
 * aggregator runs `checkUpdateContent` (read, decode, validate, SHA-256) and, in mode `arrival`,
 * folds the validated bytes at once (`createRoundFolds`: exact fold, fenced-style checkpoint every
 * `--checkpoint-every`, folded blobs deleted); in mode `end` (the code before fold on arrival)
 * every blob stays until the end and is read again and folded in client-id order (float64 fold).
 * Both then store the new model. Redis `used_memory` is sampled after every step.
 *
 * Prints `RESULT k=<K> mode=<m> agg_s=<aggregator seconds> memcpy_s=<memcpy of the same bytes>
 * ratio=<agg/memcpy> update_mb=<MB> rss_mb=<peak RSS> redis_peak_mb=<peak used_memory - baseline>`.
 */
import { addWeights, createFedAvg, FOLD_GROUP_MAX, type WeightedUpdate } from '@fedssd/fedavg';
import { modelKey, updateKey, type RoundRecord, type UpdateReady } from '@fedssd/protocol';
import { checkUpdateContent, createRoundFolds, type RunContext } from '@fedssd/runtime';
import { createModel } from '@fedssd/ssl';
import { createRng, decodeWeights, encodeWeights, initBackend, type Weights } from '@fedssd/tensor';
import { createRedisStores } from '@fedssd/transport';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { exitOnError } from './prerequisites.js';
import { positiveInt, specFor } from './train-setup.js';

const { values: args } = parseArgs({
  options: {
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    clients: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'arrival' },
    width: { type: 'string', default: '1' },
    'checkpoint-every': { type: 'string', default: '8' },
  },
});

const RUN = `bench-round-${process.pid}`;
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Client c's delta: one seeded random direction scaled per client (distinct values, no per-client RNG cost). */
function deltaOf(direction: Weights, c: number): Weights {
  const k = 1 + c / 97;
  return direction.map((w) => ({ ...w, values: w.values.map((v) => v * k) }));
}

async function main(): Promise<void> {
  const clients = positiveInt('clients', args.clients);
  const every = positiveInt('checkpoint-every', args['checkpoint-every']);
  if (args.mode !== 'arrival' && args.mode !== 'end') throw new RangeError(`--mode must be arrival or end, got ${args.mode}`);
  await initBackend('cpu');
  const model = createModel(specFor('resnet18', Number(args.width)), 1);
  const base = model.getWeights();
  model.dispose();
  const rng = createRng(5);
  const direction = base.map((w) => ({ ...w, values: Float32Array.from(w.values, () => rng.normal() * 1e-3) }));

  const stores = await createRedisStores({ url: args.redis });
  const info = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await stores.redis.info('memory'))?.[1]);
  const baseline = await info();
  let redisPeak = baseline;
  const sample = async (): Promise<void> => void (redisPeak = Math.max(redisPeak, await info()));

  const context = { runId: RUN, config: {}, global: () => Promise.resolve(base) } as unknown as RunContext;
  const round = { runId: RUN, round: 1, baseVersion: 0 } as unknown as RoundRecord;
  const folds = createRoundFolds({ blobs: stores.blobs, checkpointEvery: every });
  const samples = (c: number): number => 100 + (c % 50);
  const accepted: { clientId: number; samples: number; updateKey: string; sha256: string }[] = [];
  let aggSeconds = 0;
  let updateBytes = 0;

  for (let c = 0; c < clients; c += 1) {
    const bytes = encodeWeights(deltaOf(direction, c));
    updateBytes = bytes.length;
    const key = updateKey(RUN, 1, c);
    await stores.blobs.putBlob(key, bytes, { nx: true });
    await sample();
    const start = process.hrtime.bigint();
    const msg = { runId: RUN, round: 1, clientId: c, updateKey: key, samples: samples(c) } as unknown as UpdateReady;
    const verdict = await checkUpdateContent(stores.blobs, context, round, msg, { samples: { kind: 'exact', samples: samples(c) } });
    if (!verdict.ok) throw new Error(`update ${c} rejected: ${verdict.message}`);
    accepted.push({ clientId: c, samples: verdict.samples, updateKey: key, sha256: verdict.sha256 });
    if (args.mode === 'arrival') {
      folds.offer(RUN, c, verdict.sha256, verdict.blob);
      await folds.topUp(RUN, 1, base, accepted as never);
    }
    aggSeconds += seconds(start);
    await sample();
  }

  const start = process.hrtime.bigint();
  let mean: Weights;
  if (args.mode === 'arrival') {
    const done = await folds.finish(RUN, 1, base, accepted as never);
    if (done.mean === null) throw new Error('nothing folded');
    mean = done.mean;
  } else {
    // The fold before this change (aggregate-round.ts at c2aef89): every blob read again, digest checked, float64 fold in client order.
    const fold = createFedAvg(base);
    for (let g = 0; g < accepted.length; g += FOLD_GROUP_MAX) {
      const group: WeightedUpdate[] = [];
      for (const u of accepted.slice(g, g + FOLD_GROUP_MAX)) {
        const blob = (await stores.blobs.getBlob(u.updateKey))!;
        if (createHash('sha256').update(blob).digest('hex') !== u.sha256) throw new Error('digest changed');
        group.push({ weights: decodeWeights(blob, { copy: false }), samples: u.samples });
      }
      fold.addAll(group);
    }
    mean = fold.result();
  }
  await stores.blobs.putBlob(modelKey(RUN, 1), encodeWeights(addWeights(base, mean)));
  aggSeconds += seconds(start);
  await sample();
  const peakRedis = Math.max(redisPeak, Number(/used_memory_peak:(\d+)/.exec(await stores.redis.info('memory'))?.[1]));

  // memcpy bound: the same number of bytes copied between two buffers already touched.
  const src = Buffer.alloc(updateBytes, 1);
  const dst = Buffer.alloc(updateBytes, 2);
  src.copy(dst);
  const copyStart = process.hrtime.bigint();
  for (let c = 0; c < clients; c += 1) src.copy(dst);
  const memcpy = seconds(copyStart);

  for (const key of await stores.redis.keys(`fedssd:run:{${RUN}}*`)) await stores.redis.del(key);
  await stores.close();
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(
    `RESULT k=${clients} mode=${args.mode} agg_s=${aggSeconds.toFixed(2)} memcpy_s=${memcpy.toFixed(3)} ratio=${(aggSeconds / memcpy).toFixed(1)}` +
      ` update_mb=${mb(updateBytes)} rss_mb=${mb(rss)} redis_peak_mb=${mb(peakRedis - baseline)} checkpoint_every=${every}`,
  );
}

main().catch(exitOnError);
