/**
 * Reuse of large output buffers on the cpu backend.
 *
 * Every kernel output used to be a fresh `new Float32Array`: a ResNet-18 step allocates
 * hundreds of MB that way, and V8 answers the external-memory growth with a scavenge every
 * ~15 ms ("external memory pressure" in --trace-gc, ~50 per step, plus the fresh pages' faults
 * and zeroing). Here a buffer whose last tensor is disposed goes to a free list by length, and
 * the next output of that length takes it instead of allocating.
 *
 * Safety rests on knowing when no tensor can still see a buffer:
 * - The backend's data storage is the one place tensor data enter and leave (`write`, `move`
 *   and every kernel output go through `data.set`; every dispose through `data.delete`). The
 *   hooks count, per pooled ArrayBuffer, the storage entries whose values lie on it; views such
 *   as a contiguous Slice's subarray count too, so a buffer is reused only when the last of
 *   them is gone.
 * - `readSync` (dataSync, arraySync, and `data()`: the cpu backend's async `read` calls it) hands
 *   out a copy of pooled values, so a caller keeping them after dispose never sees them
 *   overwritten (tested through both dataSync and data).
 * - A reused buffer holds old data: every kernel that takes one writes all of it (a
 *   `zeroed` request clears it first). `FEDSSD_POOL_POISON=1` fills released buffers with NaN so a
 *   kernel that reads its output before writing it shows up in the training bytes (tested).
 * `FEDSSD_POOL_MB=0` turns reuse off (every buffer is left to the GC, as before).
 */

/** The slice of tfjs-backend-cpu's MathBackendCPU that the pool hooks. */
export interface PoolableBackend {
  data: {
    has(dataId: object): boolean;
    get(dataId: object): { values?: unknown } | undefined;
    set(dataId: object, value: { values?: unknown }): void;
    delete(dataId: object): boolean;
  };
  readSync(dataId: object): unknown;
}

/** Settings; see {@link configureBufferPool}. */
export interface BufferPoolOptions {
  /** Outputs below this many elements are plain allocations (default 65536, 256 KiB). */
  readonly minElements: number;
  /**
   * Free buffers kept at most, in bytes (default 2 GiB); the free list is also never larger than
   * twice the most pooled memory the process has had in use at once, so it scales with the
   * model. Beyond the limit the oldest free buffers are left to the GC.
   */
  readonly maxFreeBytes: number;
  /** Fill released buffers with NaN (tests: proves no kernel reads an output before writing it). */
  readonly poison: boolean;
}

/** `FEDSSD_POOL_MB` (free-list cap in MiB; 0 turns reuse off), default 2048. */
function maxFreeFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 2048 * 2 ** 20;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb < 0) throw new RangeError(`FEDSSD_POOL_MB must be a number of MiB >= 0, got '${raw}'`);
  return mb * 2 ** 20;
}

const DEFAULTS: BufferPoolOptions = {
  minElements: 65_536,
  maxFreeBytes: maxFreeFromEnv(process.env['FEDSSD_POOL_MB']),
  poison: process.env['FEDSSD_POOL_POISON'] === '1',
};

let options: BufferPoolOptions = DEFAULTS;
/** Free buffers by length, most recently released last (its pages are the likeliest in cache). */
const free = new Map<number, Float32Array[]>();
/** The same free buffers in release order, oldest first (Set keeps insertion order). */
const byAge = new Set<Float32Array>();
let freeBytes = 0;
/** Pooled bytes handed out and not yet released, and the most of them at any one time. */
let liveBytes = 0;
let peakLiveBytes = 0;
/** Pooled buffers: storage entries on them. Weak, so a pooled buffer that never reached a tensor is simply collected. */
const users = new WeakMap<ArrayBufferLike, { owner: Float32Array; entries: number }>();
const hooked = new WeakSet<object>();

/** Counters for tests and the profile: allocations served from the free list vs fresh, and bytes. */
export const poolStats = {
  reused: 0,
  fresh: 0,
  released: 0,
  dropped: 0,
  get freeBytes(): number {
    return freeBytes;
  },
  get liveBytes(): number {
    return liveBytes;
  },
  get peakLiveBytes(): number {
    return peakLiveBytes;
  },
};

/** Changes the settings (and empties the free list); returns the previous ones. */
export function configureBufferPool(next: Partial<BufferPoolOptions>): BufferPoolOptions {
  const previous = options;
  options = { ...options, ...next };
  free.clear();
  byAge.clear();
  freeBytes = 0;
  return previous;
}

function valuesOn(value: { values?: unknown } | undefined): ArrayBufferView | undefined {
  const v = value?.values;
  return ArrayBuffer.isView(v) ? v : undefined;
}

function release(owner: Float32Array): void {
  const bytes = owner.byteLength;
  liveBytes -= bytes;
  // A training step releases its activations and gradients over backprop and allocates the same
  // lengths again in the next step. What it releases between two uses of a length can exceed the
  // peak in use at once (141 against 103 MB for the small model), so the limit is twice that
  // peak: no reuse was lost at 2x for small, ResNet w=0.25 or full width (profile-kernels).
  const limit = Math.min(options.maxFreeBytes, 2 * peakLiveBytes);
  if (bytes > limit) {
    poolStats.dropped += 1;
    users.delete(owner.buffer);
    return;
  }
  // Oldest first out: one-off lengths (a shrinking slice, say) age out instead of filling the
  // list and turning away the lengths that do come back.
  while (freeBytes + bytes > limit) evictOldest();
  if (options.poison) owner.fill(Number.NaN);
  const list = free.get(owner.length) ?? [];
  list.push(owner);
  free.set(owner.length, list);
  byAge.add(owner);
  freeBytes += bytes;
  poolStats.released += 1;
}

function evictOldest(): void {
  const oldest = byAge.values().next().value as Float32Array;
  byAge.delete(oldest);
  // The oldest of its length is the first of its list (lists are pushed and popped at the end).
  const list = free.get(oldest.length)!;
  list.shift();
  if (list.length === 0) free.delete(oldest.length);
  freeBytes -= oldest.byteLength;
  users.delete(oldest.buffer);
  poolStats.dropped += 1;
}

/** Installs the storage and read hooks on one backend instance (idempotent). */
function hook(backend: PoolableBackend): void {
  if (hooked.has(backend)) return;
  hooked.add(backend);
  const data = backend.data;
  const set = data.set.bind(data);
  const del = data.delete.bind(data);
  // DataStorage.get of an absent id asks the engine to move it from another backend: check first.
  const get = (dataId: object) => (data.has(dataId) ? data.get(dataId) : undefined);
  data.set = (dataId, value) => {
    const before = valuesOn(get(dataId));
    const after = valuesOn(value);
    const entry = after ? users.get(after.buffer) : undefined;
    if (entry) entry.entries += 1;
    set(dataId, value);
    // `move` may replace an entry's values: the old buffer loses one user.
    if (before && before !== after) leave(before);
  };
  data.delete = (dataId) => {
    const before = valuesOn(get(dataId));
    const removed = del(dataId);
    if (before) leave(before);
    return removed;
  };
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId) => copyIfPooled(readSync(dataId));
}

function leave(view: ArrayBufferView): void {
  const entry = users.get(view.buffer);
  if (!entry) return;
  entry.entries -= 1;
  if (entry.entries === 0) release(entry.owner);
}

function copyIfPooled(values: unknown): unknown {
  return ArrayBuffer.isView(values) && users.has(values.buffer) && values instanceof Float32Array ? values.slice() : values;
}

/**
 * A float32 output buffer of `length` elements for a kernel on `backend`: a released one when
 * available, else new. Its contents are arbitrary unless `zeroed`; the kernel must write every
 * element, then store it with `backend.makeTensorInfo`.
 */
export function outputBuffer(backend: object, length: number, zeroed = false): Float32Array {
  if (length < options.minElements || !isPoolable(backend)) return new Float32Array(length);
  hook(backend);
  liveBytes += length * 4;
  peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
  const reused = free.get(length)?.pop();
  if (reused) {
    byAge.delete(reused);
    freeBytes -= reused.byteLength;
    poolStats.reused += 1;
    users.set(reused.buffer, { owner: reused, entries: 0 });
    if (zeroed) reused.fill(0);
    return reused;
  }
  poolStats.fresh += 1;
  const made = new Float32Array(length);
  users.set(made.buffer, { owner: made, entries: 0 });
  return made;
}

function isPoolable(backend: object): backend is PoolableBackend {
  const b = backend as Partial<PoolableBackend>;
  const d = b.data;
  return typeof d?.set === 'function' && typeof d.delete === 'function' && typeof d.has === 'function' && typeof b.readSync === 'function';
}
