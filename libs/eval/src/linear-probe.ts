import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D, Variable } from '@tensorflow/tfjs-core';
import { createRng } from '@fedssd/tensor';
import { assertIntegerIn, assertLabels, assertMatrix, assertPositive } from './checks.js';

/** Options of the linear probe (docs/METHOD.md §7: Adam lr 3e-3, batch 512, no augmentation). */
export interface LinearProbeOptions {
  /** [N_train, d] frozen, unnormalised encoder features h. */
  trainFeatures: Tensor2D;
  trainLabels: ArrayLike<number>;
  /** [N_test, d] features with the same d. */
  testFeatures: Tensor2D;
  testLabels: ArrayLike<number>;
  /** Number of classes, >= 2. */
  classes: number;
  /** Passes over the training set, >= 0 (paper 200). */
  epochs: number;
  /** Mini-batch size, >= 1 (default 512). */
  batchSize?: number;
  /** Adam learning rate, > 0 (default 3e-3). */
  lr?: number;
  /** Seed of the weight init and of every epoch's shuffle; same seed, same result. */
  seed: number;
}

export interface LinearProbeResult {
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Accuracy on the training features in [0, 1]. */
  trainAccuracy: number;
}

const PREDICT_CHUNK_ROWS = 4096;

function accuracyOf(features: Tensor2D, labels: ArrayLike<number>, w: Variable, b: Variable): number {
  const n = features.shape[0];
  if (n === 0) return 0;
  let correct = 0;
  for (let start = 0; start < n; start += PREDICT_CHUNK_ROWS) {
    const rows = Math.min(PREDICT_CHUNK_ROWS, n - start);
    const predicted = tf.tidy(() => tf.argMax(tf.add(tf.matMul(tf.slice(features, [start, 0], [rows, -1]), w), b), 1));
    const values = predicted.dataSync();
    predicted.dispose();
    for (let i = 0; i < rows; i += 1) if (values[i] === labels[start + i]) correct += 1;
  }
  return correct / n;
}

/**
 * Linear probe: a softmax-regression layer (W [d, C], b [C], PyTorch-style uniform init
 * +-1/sqrt(d)) trained with Adam and cross-entropy on frozen features, seeded init and shuffles.
 */
export function linearProbe(opts: LinearProbeOptions): LinearProbeResult {
  const { trainFeatures, trainLabels, testFeatures, testLabels, classes, epochs, batchSize = 512, lr = 3e-3, seed } = opts;
  assertMatrix('trainFeatures', trainFeatures);
  assertMatrix('testFeatures', testFeatures, 0);
  const [n, d] = trainFeatures.shape;
  if (testFeatures.shape[1] !== d) throw new RangeError(`testFeatures have d = ${testFeatures.shape[1]}, trainFeatures d = ${d}`);
  assertIntegerIn('classes', classes, 2, Number.MAX_SAFE_INTEGER);
  assertIntegerIn('epochs', epochs, 0, Number.MAX_SAFE_INTEGER);
  assertIntegerIn('batchSize', batchSize, 1, Number.MAX_SAFE_INTEGER);
  assertPositive('lr', lr);
  assertLabels('trainLabels', trainLabels, n, classes);
  assertLabels('testLabels', testLabels, testFeatures.shape[0], classes);

  const rng = createRng(seed);
  const bound = 1 / Math.sqrt(d);
  // tf.variable copies its initial value, so the initial tensors are disposed right away.
  const w0 = tf.tensor2d(
    Array.from({ length: d * classes }, () => rng.uniform(-bound, bound)),
    [d, classes],
  );
  const b0 = tf.tensor1d(Array.from({ length: classes }, () => rng.uniform(-bound, bound)));
  const w = tf.variable(w0);
  const b = tf.variable(b0);
  tf.dispose([w0, b0]);
  const oneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from(trainLabels), 'int32'), classes), 'float32'));
  const optimizer = tf.train.adam(lr);
  const shuffleRng = rng.fork('shuffle');
  const order = Array.from({ length: n }, (_, i) => i);
  try {
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      shuffleRng.shuffle(order);
      for (let start = 0; start < n; start += batchSize) {
        const batch = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
        const x = tf.gather(trainFeatures, batch);
        const y = tf.gather(oneHot, batch);
        optimizer.minimize(
          () => {
            const logProbs = tf.logSoftmax(tf.add(tf.matMul(x, w), b));
            return tf.neg(tf.mean(tf.sum(tf.mul(y, logProbs), 1))) as tf.Scalar;
          },
          false,
          [w, b],
        );
        tf.dispose([batch, x, y]);
      }
    }
    return { accuracy: accuracyOf(testFeatures, testLabels, w, b), trainAccuracy: accuracyOf(trainFeatures, trainLabels, w, b) };
  } finally {
    optimizer.dispose();
    tf.dispose([w, b, oneHot]);
  }
}
