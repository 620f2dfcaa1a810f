/**
 * Picks the fastest TF.js backend that really works on this machine. Native addons
 * (`tfjs-node-gpu`, `tfjs-node`) are optional dependencies whose install usually fails here,
 * so each candidate is tried in turn and every failure becomes a one-line note instead of a
 * crash. Order: tfjs-node-gpu > tfjs-node > the cpu backend with `@fedssd/native`'s oneDNN
 * kernels (optional workspace package, built by `npm run build:native`) > wasm > plain cpu.
 * The wasm backend gets our gradient kernels registered on top (see `wasm-kernels/`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { gcThreadsNote } from './gc-threads.js';
import { registerWasmGradKernels } from './wasm-kernels/index.js';

/** Which backend `initBackend` selected, and why the faster ones were skipped. */
export interface BackendInfo {
  /** TF.js backend name as given to `tf.setBackend` (`tensorflow`, `wasm`, `cpu`). */
  readonly name: string;
  /** `cpu-native`: TF.js's cpu backend with oneDNN kernels from `@fedssd/native` in front of its own. */
  readonly kind: 'tensorflow-gpu' | 'tensorflow' | 'cpu-native' | 'wasm' | 'cpu';
  /** One line per skipped candidate or notable choice, e.g. "@tensorflow/tfjs-node: not installed". */
  readonly notes: string[];
}

/** Backend preference (a ceiling): 'auto' tries tfjs-node-gpu, tfjs-node, cpu-native, wasm, cpu in that order. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

const PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

let selected: Promise<BackendInfo> | undefined;
let selectedInfo: BackendInfo | undefined;

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

/** Multi-threaded backends only: wasm and plain cpu run their kernels on the main thread. */
function noteGcThreads(notes: string[]): void {
  const note = gcThreadsNote();
  if (note) notes.push(note);
}

// Module names held in variables so bundlers and tsc do not try to resolve absent packages.
async function tryNative(pkg: string, kind: 'tensorflow-gpu' | 'tensorflow', notes: string[]): Promise<BackendInfo | undefined> {
  try {
    await import(pkg);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend("tensorflow") returned false');
    await tf.ready();
    noteGcThreads(notes);
    return { name: 'tensorflow', kind, notes };
  } catch (err) {
    // A package that is simply not installed is the common case: say so in two words.
    const missing = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && firstLine(err).includes(`'${pkg}'`);
    notes.push(`${pkg}: ${missing ? 'not installed' : firstLine(err)}`);
    return undefined;
  }
}

/** The part of `@fedssd/native` used here (declared locally: the package is optional). */
interface NativeKernelsModule {
  registerNativeCpuKernels(options: { threads?: number }): { kernels: string[]; onednn: string; threads: number };
}

const NATIVE_PACKAGE = '@fedssd/native';

/**
 * TF.js's cpu backend prints a multi-line "install tfjs-node" banner on first use; backend
 * selection already says in one line what was tried and why, so the banner only adds noise.
 */
function silenceCpuBanner(): void {
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (typeof backend.firstUse === 'boolean') backend.firstUse = false;
}

async function tryNativeKernels(notes: string[]): Promise<BackendInfo | undefined> {
  try {
    const native = (await import(NATIVE_PACKAGE)) as NativeKernelsModule;
    // The cpu backend registers its kernels at import; ours wrap them, so it must come first.
    await import('@tensorflow/tfjs-backend-cpu');
    // A fixed thread count keeps oneDNN's reduction order, hence results, the same run to run.
    const reg = native.registerNativeCpuKernels({ threads: availableParallelism() });
    if (!(await tf.setBackend('cpu'))) throw new Error('setBackend("cpu") returned false');
    await tf.ready();
    silenceCpuBanner();
    notes.push(`${NATIVE_PACKAGE}: oneDNN ${reg.onednn}, ${reg.threads} threads, cpu kernels ${reg.kernels.join(' ')}`);
    noteGcThreads(notes);
    return { name: 'cpu', kind: 'cpu-native', notes };
  } catch (err) {
    // The package's own errors already start with its name.
    notes.push(`${NATIVE_PACKAGE}: ${firstLine(err).replace(`${NATIVE_PACKAGE}: `, '')}`);
    return undefined;
  }
}

async function tryWasm(notes: string[]): Promise<BackendInfo | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Our kernels must be registered after the package registered its own, or they are overwritten.
    registerWasmGradKernels();
    const distDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    // A path ending in '/' is a prefix; the backend appends the file name (simd build chosen by feature test).
    wasm.setWasmPaths(`${distDir}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend("wasm") returned false');
    await tf.ready();
    return { name: 'wasm', kind: 'wasm', notes };
  } catch (err) {
    notes.push(`@tensorflow/tfjs-backend-wasm: ${firstLine(err)}`);
    return undefined;
  }
}

async function tryCpu(notes: string[]): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('initBackend: even the cpu backend failed to initialise');
  await tf.ready();
  silenceCpuBanner();
  return { name: 'cpu', kind: 'cpu', notes };
}

/** Gradients come from `register-gradients.ts` (imported by the package entry); say so if they are missing. */
function ensureGradients(notes: string[]): void {
  if (tf.getGradient('Conv2D') === undefined) notes.push('gradients: none registered; training will fail');
}

async function select(preference: BackendPreference): Promise<BackendInfo> {
  const notes: string[] = [];
  ensureGradients(notes);
  if (preference === 'auto' || preference === 'tensorflow') {
    const gpu = await tryNative('@tensorflow/tfjs-node-gpu', 'tensorflow-gpu', notes);
    if (gpu) return gpu;
    const cpuNative = await tryNative('@tensorflow/tfjs-node', 'tensorflow', notes);
    if (cpuNative) return cpuNative;
    const nativeKernels = await tryNativeKernels(notes);
    if (nativeKernels) return nativeKernels;
  }
  if (preference !== 'cpu') {
    const wasm = await tryWasm(notes);
    if (wasm) return wasm;
  }
  return tryCpu(notes);
}

/**
 * Selects and initialises a backend once per process. A preference is a ceiling: a
 * preferred backend that fails falls through to the next one (wasm, then cpu) with a note.
 * Idempotent: later calls return the first call's info whatever their preference.
 * @param preference default 'auto'.
 */
export function initBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (!PREFERENCES.includes(preference)) {
    throw new RangeError(`initBackend: preference must be one of ${PREFERENCES.join(', ')}, got ${String(preference)}`);
  }
  if (!selected) {
    selected = select(preference).then((info) => {
      selectedInfo = info;
      return info;
    });
    selected.catch(() => {
      selected = undefined;
    });
  }
  return selected;
}

/** The info of the backend `initBackend` selected, or undefined before it resolved. */
export function currentBackend(): BackendInfo | undefined {
  return selectedInfo;
}
