import { describe, expect, it } from 'vitest';
import { subset, syntheticDataset, takeFirst, type ImageDataset } from '@fedssd/data';

/** Leave-nothing-out 1-NN accuracy of `test` against `train` in raw pixel space (Euclidean). */
function nearestNeighbourAccuracy(train: ImageDataset, test: ImageDataset): number {
  const size = train.height * train.width * train.channels;
  let correct = 0;
  for (let q = 0; q < test.count; q += 1) {
    let best = Number.POSITIVE_INFINITY;
    let label = -1;
    for (let t = 0; t < train.count; t += 1) {
      let d = 0;
      for (let i = 0; i < size; i += 1) {
        const diff = (test.images[q * size + i] as number) - (train.images[t * size + i] as number);
        d += diff * diff;
      }
      if (d < best) {
        best = d;
        label = train.labels[t] as number;
      }
    }
    if (label === test.labels[q]) correct += 1;
  }
  return correct / test.count;
}

describe('syntheticDataset', () => {
  it('when built with defaults, then has MNIST shape, values in [0, 1] and balanced labels', () => {
    const data = syntheticDataset({ count: 200, seed: 1 });
    expect([data.count, data.height, data.width, data.channels, data.classes]).toEqual([200, 28, 28, 1, 10]);
    expect(data.images.length).toBe(200 * 784);
    expect(data.split).toBe('train');
    expect(data.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    // Real contrast, not a blank or saturated canvas.
    expect(data.images.some((v) => v > 0.8)).toBe(true);
    expect(data.images.filter((v) => v < 0.2).length).toBeGreaterThan(data.images.length / 3);
    const perClass = new Array<number>(10).fill(0);
    for (const label of data.labels) perClass[label] = (perClass[label] as number) + 1;
    expect(perClass).toEqual(new Array<number>(10).fill(20));
    expect(data.classNames).toHaveLength(10);
  });

  it('when built twice with one seed, then is identical; another seed or split differs', () => {
    const a = syntheticDataset({ count: 30, seed: 5 });
    const b = syntheticDataset({ count: 30, seed: 5 });
    expect(b.images).toEqual(a.images);
    expect(b.labels).toEqual(a.labels);
    expect(syntheticDataset({ count: 30, seed: 6 }).images).not.toEqual(a.images);
    expect(syntheticDataset({ count: 30, seed: 5, split: 'test' }).images).not.toEqual(a.images);
  });

  it('when classifying test images by nearest train image, then accuracy is far above chance but not trivial', () => {
    const train = syntheticDataset({ count: 400, seed: 3 });
    const test = syntheticDataset({ count: 100, seed: 3, split: 'test' });
    const accuracy = nearestNeighbourAccuracy(train, test);
    console.log(`synthetic 1-NN pixel accuracy ${accuracy}`);
    // Chance is 0.1; measured 0.75 (seed 3). Not near 1 either: distractors and jitter keep it a real task.
    expect(accuracy).toBeGreaterThan(0.5);
    // Another seed's prototypes carry no information about these test labels.
    const unrelated = syntheticDataset({ count: 400, seed: 99 });
    expect(nearestNeighbourAccuracy(unrelated, test)).toBeLessThan(0.35);
  });

  it('when asked for 32x32x3, then returns a CIFAR-shaped colour set', () => {
    const data = syntheticDataset({ count: 10, height: 32, width: 32, channels: 3, seed: 0 });
    expect(data.images.length).toBe(10 * 32 * 32 * 3);
    // Colour strokes: the three channels of a pixel are not all equal everywhere.
    let differs = 0;
    for (let p = 0; p < 32 * 32; p += 1)
      if (Math.abs((data.images[p * 3] as number) - (data.images[p * 3 + 1] as number)) > 0.1) differs += 1;
    expect(differs).toBeGreaterThan(10);
  });

  it('when count is not a positive integer, then throws naming the field', () => {
    expect(() => syntheticDataset({ count: 0, seed: 0 })).toThrow('count must be an integer ≥ 1 (got 0)');
  });
});

describe('takeFirst and subset', () => {
  const data = syntheticDataset({ count: 12, height: 4, width: 4, seed: 2 });

  it('when taking the first n, then copies those images and labels', () => {
    const first = takeFirst(data, 5);
    expect(first.count).toBe(5);
    expect(first.images).toEqual(data.images.slice(0, 5 * 16));
    expect(first.labels).toEqual(data.labels.slice(0, 5));
    expect(takeFirst(data, 100).count).toBe(12);
  });

  it('when picking indices, then returns them in order and rejects out-of-range ones', () => {
    const picked = subset(data, [11, 0, 11]);
    expect(picked.count).toBe(3);
    expect([...picked.labels]).toEqual([data.labels[11], data.labels[0], data.labels[11]]);
    expect(picked.images.subarray(16, 32)).toEqual(data.images.subarray(0, 16));
    expect(() => subset(data, [12])).toThrow('indices[0] must be an integer in [0, 12) (got 12)');
  });
});
