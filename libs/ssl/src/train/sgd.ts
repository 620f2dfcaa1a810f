/**
 * SGD with momentum and L2 weight decay, PyTorch semantics (dampening 0, no Nesterov):
 * g += wd * w; buf = m * buf + g (buf = g on the first step); w -= lr * buf.
 * Momentum buffers live only as long as this optimiser (reset every round).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface SgdOptions {
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

export interface Sgd {
  /** Applies one step; `grads` is keyed by TF.js variable name (as tf.variableGrads returns). */
  step(grads: tf.NamedTensorMap): void;
  /** Frees the momentum buffers. Idempotent. */
  dispose(): void;
}

export function createSgd(variables: readonly tf.Variable[], opts: SgdOptions): Sgd {
  const buffers = new Map<string, tf.Tensor>();
  return {
    step(grads) {
      for (const v of variables) {
        const grad = grads[v.name];
        if (!grad) throw new Error(`sgd: no gradient for variable ${v.name}`);
        const previous = buffers.get(v.name);
        const next = tf.tidy(() => {
          const g = opts.weightDecay > 0 ? tf.add(grad, tf.mul(v, opts.weightDecay)) : grad;
          const buf = opts.momentum > 0 && previous ? tf.add(tf.mul(previous, opts.momentum), g) : g;
          v.assign(tf.sub(v, tf.mul(buf, opts.lr)));
          // Keep the buffer (a fresh tensor even when it is the gradient itself).
          return opts.momentum > 0 ? (buf === grad ? tf.clone(buf) : buf) : undefined;
        });
        previous?.dispose();
        if (next) buffers.set(v.name, next);
      }
    },
    dispose() {
      for (const b of buffers.values()) b.dispose();
      buffers.clear();
    },
  };
}
