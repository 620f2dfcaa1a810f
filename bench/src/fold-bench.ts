/**
 * Aggregator throughput: FedAvg fold (`createFedAvg(...).add`) over ResNet-18-sized updates vs
 * a plain typed-array copy of the same bytes, and the weight codec (encode + decode, fp32).
 * Rounds alternate fold and copy so a drifting machine affects both alike; medians are used.
 *
 *   npm run bench:fold -- [--clients 8] [--rounds 5] [--width 1]
 *
 * Prints `RESULT fold_gbps=<x> memcpy_gbps=<y> ratio=<x/y> codec_gbps=<z>` (GB = 1e9 bytes of
 * float32 weights read per second). fold = `add` into an existing accumulator, like the copy
 * into existing arrays; creating the accumulator (fresh float64 memory: on this VM first-touch
 * page faults cost ~5 ms per MB) is reported separately, as is decode with `copy: false`.
 */
import { createFedAvg } from '@fedssd/fedavg';
import { decodeWeights, encodeWeights, initBackend, type Weights } from '@fedssd/tensor';
import { createModel } from '@fedssd/ssl';
import { parseArgs } from 'node:util';
import { median } from './run-process.js';
import { specFor } from './train-setup.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '5' },
    width: { type: 'string', default: '1' },
  },
});

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The model's real full state (names, shapes, BN statistics), values as initialised. */
async function resnetWeights(width: number): Promise<Weights> {
  await initBackend('cpu');
  const model = createModel(specFor('resnet18', width), 1);
  const weights = model.getWeights();
  model.dispose();
  return weights;
}

async function main(): Promise<void> {
  const clients = Number(args.clients);
  const rounds = Number(args.rounds);
  // Updates reach the aggregator through the codec, so fold what decodeWeights returns.
  const weights = decodeWeights(encodeWeights(await resnetWeights(Number(args.width))));
  const bytes = weights.reduce((n, w) => n + w.values.byteLength, 0);
  const copies = weights.map((w) => new Float32Array(w.values.length));
  const fold: number[] = [];
  const create: number[] = [];
  const copy: number[] = [];
  const codec: number[] = [];
  const codecViews: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    let acc = createFedAvg(weights);
    create.push(seconds(() => {
      acc = createFedAvg(weights);
    }));
    const foldSeconds = seconds(() => {
      for (let c = 0; c < clients; c += 1) acc.add(weights, 100 + c);
    });
    const copySeconds = seconds(() => {
      for (let c = 0; c < clients; c += 1) weights.forEach((w, i) => (copies[i] as Float32Array).set(w.values));
    });
    const codecSeconds = seconds(() => {
      decodeWeights(encodeWeights(weights));
    });
    const viewSeconds = seconds(() => {
      decodeWeights(encodeWeights(weights), { copy: false });
    });
    codecViews.push(bytes / viewSeconds / 1e9);
    fold.push((clients * bytes) / foldSeconds / 1e9);
    copy.push((clients * bytes) / copySeconds / 1e9);
    codec.push(bytes / codecSeconds / 1e9);
  }
  const f = median(fold);
  const m = median(copy);
  console.log(`fold: ${weights.length} tensors, ${(bytes / 2 ** 20).toFixed(1)} MiB per update, ${clients} clients, ${rounds} rounds`);
  console.log(`createFedAvg: ${(median(create) * 1000).toFixed(0)} ms; codec with decode copy:false: ${median(codecViews).toFixed(3)} GB/s`);
  console.log(`RESULT fold_gbps=${f.toFixed(3)} memcpy_gbps=${m.toFixed(3)} ratio=${(f / m).toFixed(3)} codec_gbps=${median(codec).toFixed(3)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
