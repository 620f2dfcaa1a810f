import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunConfig } from '@fedssd/protocol';
import type { InMemoryTransport, StateSnapshot } from '@fedssd/transport';

/** Format of `checkpoint.json`; bump when the layout changes. */
const FORMAT = 1;
const META = 'checkpoint.json';
const BLOBS = 'blobs.bin';

/** What a checkpoint holds besides the stores: the run it belongs to and how far it got. */
export interface CheckpointMeta {
  readonly format: number;
  readonly runId: string;
  /** The config as the user gave it (the run record holds the simulator's internal variant). */
  readonly config: RunConfig;
  readonly roundsDone: number;
  /** Wall-clock milliseconds spent in earlier sittings. */
  readonly elapsedMs: number;
}

interface CheckpointFile extends CheckpointMeta {
  readonly state: StateSnapshot;
  readonly blobs: Array<{ key: string; offset: number; length: number; expiresAt: number | null }>;
}

/** Thrown when a checkpoint folder cannot be used (the message says why and what to do). */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/**
 * Writes the simulator's whole in-memory store (run and round records, metrics rows, the current
 * global model, the targets) to `dir`, replacing the previous checkpoint atomically (write to a
 * temporary name, then rename). Update blobs are left out: a checkpoint is taken between rounds.
 */
export async function saveCheckpoint(dir: string, transport: InMemoryTransport, meta: Omit<CheckpointMeta, 'format'>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = transport.blobs.snapshot().filter(([key]) => !key.includes(':update:'));
  const index: CheckpointFile['blobs'] = [];
  let offset = 0;
  for (const [key, bytes, expiresAt] of entries) {
    index.push({ key, offset, length: bytes.length, expiresAt });
    offset += bytes.length;
  }
  const body = Buffer.concat(entries.map(([, bytes]) => bytes));
  const file: CheckpointFile = { format: FORMAT, ...meta, state: transport.state.snapshot(), blobs: index };
  await writeFile(join(dir, `${BLOBS}.tmp`), body);
  await writeFile(join(dir, `${META}.tmp`), JSON.stringify(file));
  await rename(join(dir, `${BLOBS}.tmp`), join(dir, BLOBS));
  await rename(join(dir, `${META}.tmp`), join(dir, META));
}

/** Reads a checkpoint's metadata, or null when `dir` holds none. */
export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta | null> {
  const file = await readCheckpointFile(dir);
  if (file === null) return null;
  const { state: _state, blobs: _blobs, ...meta } = file;
  return meta;
}

/** Loads a checkpoint into empty in-memory stores; returns its metadata. */
export async function loadCheckpoint(dir: string, transport: InMemoryTransport): Promise<CheckpointMeta> {
  const file = await readCheckpointFile(dir);
  if (file === null) throw new CheckpointError(`no checkpoint in ${dir} (expected ${join(dir, META)})`);
  const body = await readFile(join(dir, BLOBS));
  const expected = file.blobs.reduce((n, b) => Math.max(n, b.offset + b.length), 0);
  if (body.length !== expected)
    throw new CheckpointError(`${join(dir, BLOBS)} has ${body.length} bytes, the index expects ${expected}: the checkpoint is damaged`);
  transport.state.restore(file.state);
  transport.blobs.restore(
    file.blobs.map((b) => [b.key, new Uint8Array(body.subarray(b.offset, b.offset + b.length)), b.expiresAt] as const),
  );
  const { state: _state, blobs: _blobs, ...meta } = file;
  return meta;
}

async function readCheckpointFile(dir: string): Promise<CheckpointFile | null> {
  let text: string;
  try {
    text = await readFile(join(dir, META), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError(`cannot read ${join(dir, META)}: ${(error as Error).message}`);
  }
  let file: CheckpointFile;
  try {
    file = JSON.parse(text) as CheckpointFile;
  } catch {
    throw new CheckpointError(`${join(dir, META)} is not valid JSON: the checkpoint is damaged`);
  }
  if (file.format !== FORMAT)
    throw new CheckpointError(`${join(dir, META)} has format ${String(file.format)}; this version reads format ${FORMAT}`);
  return file;
}
