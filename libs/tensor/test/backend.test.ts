import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { currentBackend, gcThreadsNote, initBackend } from '../src/index.js';

/** Whether `npm run build:native` produced the optional oneDNN addon on this machine. */
const nativeBuilt = existsSync(new URL('../../native/build/Release/fedssd_native.node', import.meta.url));

describe('initBackend', () => {
  it('when no tfjs-node package is installed, then auto picks cpu-native if the addon is built, else wasm, with one note per skipped step', async () => {
    expect(currentBackend()).toBeUndefined();
    const info = await initBackend('auto');
    expect(info.notes[0]).toMatch(/^@tensorflow\/tfjs-node-gpu: /);
    expect(info.notes[1]).toMatch(/^@tensorflow\/tfjs-node: /);
    expect(info.notes[2]).toMatch(/^@fedssd\/native: /);
    // The multi-threaded cpu-native backend adds the GC note when this process lacks the flag.
    const gcNote = nativeBuilt ? gcThreadsNote() : undefined;
    expect(info.notes).toHaveLength(gcNote ? 4 : 3);
    if (nativeBuilt) {
      expect(info.kind).toBe('cpu-native');
      expect(tf.getBackend()).toBe('cpu');
      expect(info.notes[2]).toMatch(/oneDNN/);
      if (gcNote) expect(info.notes[3]).toBe(gcNote);
    } else {
      expect(info.kind).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
    }
    for (const note of info.notes) expect(note).not.toContain('\n');
    expect(currentBackend()).toBe(info);
  });

  it('when called again (any preference), then it returns the first selection', async () => {
    const first = await initBackend();
    expect(await initBackend('cpu')).toBe(first);
    expect(tf.getBackend()).toBe(first.name);
  });

  it('registers gradients, so a conv filter gradient runs on the selected backend', () => {
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
      return tf.grad((k: tf.Tensor) => tf.sum(tf.conv2d(x, k as tf.Tensor4D, 1, 'valid')))(tf.ones([3, 3, 1, 1]));
    });
    // Each tap sees the 2x2 valid output positions, each input is 1.
    expect(Array.from(g.dataSync())).toEqual(new Array(9).fill(4));
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('when the preference is unknown, then it names the allowed values', () => {
    expect(() => initBackend('gpu' as 'auto')).toThrow(/preference must be one of auto, tensorflow, wasm, cpu/);
  });
});
