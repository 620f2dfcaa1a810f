/**
 * Samples/s of one SGD training step of the small 28x28x1 CNN
 * (conv3x3(32)-BN-ReLU-maxpool, conv3x3(64)-BN-ReLU-maxpool, conv3x3(128)-BN-ReLU-GAP, linear).
 * Usage: node --import tsx libs/tensor/scripts/bench-train-step.mts <wasm|cpu> [batch=128] [steps=5] [profile]
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initBackend } from '../src/index.js';

const backend = (process.argv[2] ?? 'wasm') as 'wasm' | 'cpu';
const batch = Number(process.argv[3] ?? 128);
const steps = Number(process.argv[4] ?? 5);
const info = await initBackend(backend);
const rng = createRng(1);
const randn = (shape: number[], scale: number): tf.Tensor =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
    shape,
  );

const layers = [1, 32, 64, 128].slice(1).map((out, i) => {
  const cin = [1, 32, 64][i] as number;
  return {
    k: tf.variable(randn([3, 3, cin, out], Math.sqrt(2 / (9 * cin)))),
    g: tf.variable(tf.ones([out])),
    b: tf.variable(tf.zeros([out])),
  };
});
const head = tf.variable(randn([128, 10], 0.1));
const x = randn([batch, 28, 28, 1], 1);
const labels = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  ),
  10,
);
const opt = tf.train.sgd(0.01);

const step = (): void => {
  const cost = opt.minimize(() => {
    let h: tf.Tensor4D = x as tf.Tensor4D;
    layers.forEach((l, i) => {
      h = tf.conv2d(h, l.k as tf.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.relu(tf.batchNorm(h, mean, variance, l.b, l.g, 1e-5));
      if (i < 2) h = tf.maxPool(h, 2, 2, 'valid');
    });
    const logits = tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, head);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  }, true);
  cost?.dataSync();
  cost?.dispose();
};

step(); // warm-up (kernel compilation, XNNPACK operator caches)
if (process.argv[5] === 'profile') {
  const prof = await tf.profile(step);
  const byKernel = new Map<string, number>();
  for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  console.log([...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15));
}
const t0 = performance.now();
for (let s = 0; s < steps; s += 1) step();
const seconds = (performance.now() - t0) / 1000;
console.log(
  `${info.name}: batch ${batch}, ${steps} steps, ${((batch * steps) / seconds).toFixed(1)} samples/s (${((seconds / steps) * 1000).toFixed(0)} ms/step)`,
);
