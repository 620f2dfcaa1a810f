/**
 * Aggregator throughput on ResNet-18-sized updates: the FedAvg fold against a plain copy of the
 * same bytes, and the weight codec (fp32). Each round runs every measurement once, so a drifting
 * machine affects all alike; medians over rounds are reported. Like the aggregator, the bench
 * installs `@fedssd/native`'s SIMD fold and ISA-L CRC-32 when that addon is built (`fold_kernel`
 * and `crc32` in the RESULT line say what ran) and also measures the JS fold and zlib's CRC-32.
 *
 *   npm run bench:fold -- [--clients 8] [--rounds 5] [--width 1]
 *
 * What is measured (GB = 1e9 bytes of float32 weights read per second):
 * - inputs: `clients` distinct updates (the model's real tensors, scaled per client), each
 *   encoded once into its own Buffer and decoded with `copy: false`, as close-round.ts does with
 *   the blobs Redis returns; the fold reads views into those Buffers.
 * - fold: `addAll` of all updates (FOLD_GROUP_MAX per pass, as close-round.ts) into an
 *   accumulator whose memory is already touched; memcpy: `Float32Array.set` of the same views
 *   into arrays already touched. `fold1` is the same fold one `add` per update (the old path);
 *   `round` is what close-round.ts pays per round: createFedAvg (fresh float64 memory, first-touch
 *   page faults included) + addAll + result(). `fold_js`: `fold` with the JS kernel.
 * - codec: encodeWeights into a reused buffer + decodeWeights with `copy: false` (no fresh
 *   memory); `codec_fresh`: encode into a new buffer + decode with copy, as the trainer does;
 *   `codec_zlib`: `codec` with zlib's CRC-32.
 *
 * Prints `RESULT fold_gbps=<x> memcpy_gbps=<y> ratio=<x/y> codec_gbps=<z> fold_kernel=<avx2|sse2|js> crc32=<isa-l|zlib> ...`.
 */
import { createFedAvg, FOLD_GROUP_MAX, jsFoldKernel, setFoldKernel, type FedAvgAccumulator } from '@fedssd/fedavg';
import { loadFoldAddon } from '@fedssd/native';
import { decodeWeights, encodeWeights, initBackend, setCrc32, weightsByteLength, type Weights } from '@fedssd/tensor';
import { createModel } from '@fedssd/ssl';
import { parseArgs } from 'node:util';
import { exitOnError } from './prerequisites.js';
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

/** Client c's update as the aggregator sees it: views into its own blob (a Buffer, like Redis returns). */
function clientUpdate(weights: Weights, c: number): Weights {
  const scaled = weights.map((w) => ({ ...w, values: w.values.map((v) => v * (1 + c / 64)) }));
  return decodeWeights(Buffer.from(encodeWeights(scaled)), { copy: false });
}

/** Installs the native fold and CRC-32 as the aggregator does; says what runs. */
function installNative(): { foldKernel: string; crc32: string; native?: (bytes: Uint8Array) => number } {
  const load = loadFoldAddon();
  if (!load.ok) {
    console.log(`native: ${load.reason} — measuring the JS fold (run 'npm run build:native' for the SIMD one)`);
    return { foldKernel: 'js', crc32: 'zlib' };
  }
  setFoldKernel(load.addon.fold);
  const crc32 = load.addon.crc32;
  if (crc32 !== undefined) setCrc32(crc32);
  return { foldKernel: load.addon.info().foldIsa, crc32: crc32 === undefined ? 'zlib' : 'isa-l', ...(crc32 ? { native: crc32 } : {}) };
}

async function main(): Promise<void> {
  const kernels = installNative();
  const clients = Number(args.clients);
  const rounds = Number(args.rounds);
  const weights = await resnetWeights(Number(args.width));
  const updates = Array.from({ length: clients }, (_, c) => ({ weights: clientUpdate(weights, c), samples: 100 + c }));
  const bytes = weights.reduce((n, w) => n + w.values.byteLength, 0);
  const copies = weights.map((w) => new Float32Array(w.values.length).fill(1));
  const reused = new Uint8Array(weightsByteLength(weights)).fill(1);
  const warm: FedAvgAccumulator = createFedAvg(weights);
  const firstTouch = seconds(() => warm.addAll(updates));
  const warmJs: FedAvgAccumulator = createFedAvg(weights, { fold: jsFoldKernel });
  warmJs.addAll(updates);
  type Key = 'fold' | 'fold_js' | 'fold1' | 'memcpy' | 'round' | 'codec' | 'codec_zlib' | 'fresh';
  const m: Record<Key, number[]> = { fold: [], fold_js: [], fold1: [], memcpy: [], round: [], codec: [], codec_zlib: [], fresh: [] };
  const folded = clients * bytes;
  for (let r = 0; r < rounds; r += 1) {
    m.fold.push(folded / seconds(() => warm.addAll(updates)));
    m.fold_js.push(folded / seconds(() => warmJs.addAll(updates)));
    m.memcpy.push(
      folded /
        seconds(() => {
          for (const u of updates) u.weights.forEach((w, i) => (copies[i] as Float32Array).set(w.values));
        }),
    );
    m.fold1.push(
      folded /
        seconds(() => {
          for (const u of updates) warm.add(u.weights, u.samples);
        }),
    );
    m.round.push(
      folded /
        seconds(() => {
          const fold = createFedAvg(weights);
          fold.addAll(updates);
          fold.result();
        }),
    );
    const source = (updates[r % clients] as (typeof updates)[number]).weights;
    m.codec.push(bytes / seconds(() => decodeWeights(encodeWeights(source, { into: reused }), { copy: false })));
    setCrc32(undefined);
    m.codec_zlib.push(bytes / seconds(() => decodeWeights(encodeWeights(source, { into: reused }), { copy: false })));
    if (kernels.native !== undefined) setCrc32(kernels.native);
    m.fresh.push(bytes / seconds(() => decodeWeights(encodeWeights(source))));
  }
  const gbps = (xs: number[]): string => (median(xs) / 1e9).toFixed(3);
  console.log(
    `fold: ${weights.length} tensors, ${(bytes / 2 ** 20).toFixed(1)} MiB per update, ${clients} clients, ${rounds} rounds, groups of ${FOLD_GROUP_MAX}`,
  );
  console.log(
    `first addAll into a fresh accumulator (page faults of ${((bytes * 2) / 2 ** 20).toFixed(0)} MiB float64 sums): ${(firstTouch * 1000).toFixed(0)} ms`,
  );
  for (const [k, xs] of Object.entries(m))
    console.log(`  ${k.padEnd(10)} GB/s per round: ${xs.map((x) => (x / 1e9).toFixed(2)).join(' ')}`);
  const ratio = median(m.fold) / median(m.memcpy);
  console.log(
    `RESULT fold_gbps=${gbps(m.fold)} memcpy_gbps=${gbps(m.memcpy)} ratio=${ratio.toFixed(3)} codec_gbps=${gbps(m.codec)}` +
      ` fold_kernel=${kernels.foldKernel} crc32=${kernels.crc32}` +
      ` fold_js_gbps=${gbps(m.fold_js)} ratio_js=${(median(m.fold_js) / median(m.memcpy)).toFixed(3)} codec_zlib_gbps=${gbps(m.codec_zlib)}` +
      ` fold1_gbps=${gbps(m.fold1)} round_gbps=${gbps(m.round)} codec_fresh_gbps=${gbps(m.fresh)}`,
  );
}

main().catch(exitOnError);
