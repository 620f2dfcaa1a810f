import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng, loadDataset } from '@fedssd/data/node';
import { deriveSeed, prepareRun } from '@fedssd/engine';
import type { RunConfig } from '@fedssd/protocol';
import { buildRunConfig, joinNegativeValues } from './run-config-flags.js';
import { UserError } from './user-error.js';

export const DATA_SPLIT_HELP = `Usage: fedssd data split --dataset D --clients K --alpha A --seed S --out DIR
                         [--data-dir DIR] [--train-limit N] [--batch-size B] [--with-labels]

Writes each client's share of a public data set as image files, one folder per client, exactly
as \`fedssd simulate\` and the services partition it (same flags, same defaults), so each folder
can serve as a site's SITE_DATA_DIR:

  DIR/client-<k>/<index>.png   the client's training images (index = position in the training set,
                               zero-padded: sorted file names give the partition's order)
  DIR/manifest.json            the flags, the partition seed, per-client counts and class histograms
  DIR/client-<k>/labels.csv    with --with-labels only (labels are for evaluation; training uses none)

  --dataset mnist|fashion-mnist|cifar10   (8-bit images; synthetic images are not)
  --clients K  --alpha A  --seed S  --train-limit N  --batch-size B (default 64, as simulate)
  --out DIR    a new or empty folder
`;

const FLAGS = ['dataset', 'data-dir', 'clients', 'alpha', 'seed', 'train-limit', 'batch-size'] as const;

function parseSplitArgs(argv: string[]): { config: RunConfig; out: string; withLabels: boolean } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { out: { type: 'string' }, 'with-labels': { type: 'boolean' } };
  for (const flag of FLAGS) options[flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(argv), options, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n\n${DATA_SPLIT_HELP}`);
  }
  if (typeof values.out !== 'string') throw new UserError(`--out: required (a new or empty folder)\n\n${DATA_SPLIT_HELP}`);
  if (values.dataset === undefined || values.dataset === 'synthetic') {
    throw new UserError(
      '--dataset: must be one of mnist, fashion-mnist, cifar10 (synthetic images are not 8-bit, so PNG files cannot hold them exactly)',
    );
  }
  // The simulator's defaults, so the same flags give the same partition as `fedssd simulate`.
  // method baseline: the partition does not depend on it, and DSR's limit on K must not stop a split.
  const config = buildRunConfig(values, { rounds: 5, localEpochs: 1, batchSize: 64, method: 'baseline' });
  return { config, out: values.out, withLabels: values['with-labels'] === true };
}

async function checkEmpty(dir: string): Promise<void> {
  try {
    const entries = await readdir(dir);
    if (entries.length > 0) throw new UserError(`--out: ${dir} is not empty; choose a new folder (files of another split would mix in)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Float32 pixels of the readers (byte / 255) back to the bytes; refuses values that are not such a byte. */
function toBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const byte = Math.round((values[i] as number) * 255);
    if (Math.fround(byte / 255) !== values[i]) throw new Error(`pixel ${i} (${values[i]}) is not an 8-bit value / 255`);
    bytes[i] = byte;
  }
  return bytes;
}

/** `fedssd data split`: the engine's partition of a data set, written as one image folder per client. */
export async function dataSplitCommand(argv: string[]): Promise<number> {
  const { config, out, withLabels } = parseSplitArgs(argv);
  await checkEmpty(out);
  const train = await loadDataset({
    name: config.dataset,
    split: 'train',
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    ...(config.trainLimit ? { limit: config.trainLimit } : {}),
    seed: config.seed,
  });
  const prepared = prepareRun(config, train);
  const { height, width, channels } = train;
  const pixels = height * width * channels;
  const digits = Math.max(5, String(train.count - 1).length);
  const clients = [];
  for (const [k, indices] of prepared.partition.clients.entries()) {
    const folder = join(out, `client-${k}`);
    await mkdir(folder, { recursive: true });
    const bytes = toBytes(prepared.shards[k]!.images);
    const labelLines = ['file,label'];
    for (const [position, index] of indices.entries()) {
      const file = `${String(index).padStart(digits, '0')}.png`;
      await writeFile(
        join(folder, file),
        encodePng(bytes.subarray(position * pixels, (position + 1) * pixels), width, height, channels as 1 | 3),
      );
      labelLines.push(`${file},${train.labels[index]}`);
    }
    if (withLabels) await writeFile(join(folder, 'labels.csv'), `${labelLines.join('\n')}\n`);
    clients.push({ client: k, dir: `client-${k}`, count: indices.length, histogram: prepared.partition.histogram[k] });
  }
  const manifest = {
    dataset: config.dataset,
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    trainLimit: config.trainLimit ?? null,
    trainImages: train.count,
    clients: config.clients,
    alpha: config.alpha,
    seed: config.seed,
    batchSize: config.batchSize,
    partitionSeed: deriveSeed(config.seed, 'partition'),
    image: { height, width, channels },
    classNames: train.classNames,
    perClient: clients,
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(
    `wrote ${train.count} images of ${config.dataset} into ${config.clients} folders under ${out} ` +
      `(${clients.map((c) => c.count).join(' / ')} images; manifest.json beside them)\n`,
  );
  return 0;
}
