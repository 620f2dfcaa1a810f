/**
 * Convolution, max-pool and add+ReLU as `tf.customGrad` nodes that release their incoming
 * gradient and saved tensors as soon as their own gradient is computed.
 *
 * Why: TF.js keeps every saved tensor and every intermediate gradient until the whole backward
 * pass ends, so the peak is the full tape plus all its gradients (PyTorch frees each as it goes).
 * Nothing reads a node's dy after that node's gradient ran (dy is read only by the node that
 * produced the tensor) and saved tensors are the node's own clones, so releasing them early is
 * safe; the engine's later dispose of them is a no-op. The gradients call the same kernels as
 * TF.js's own gradient functions (Conv2DBackpropInput/Filter, MaxPoolGrad), so values are
 * identical on every backend.
 *
 * Two limits follow (neither occurs in training, where the loss is a reduction of these ops'
 * outputs): no higher-order gradients through these nodes, and an explicit `dy` handed to
 * tf.grad(s)/variableGrads for a function whose output comes straight from one of these ops
 * is disposed by it.
 */
import * as tf from '@tensorflow/tfjs-core';

type Grads = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/**
 * Optional one-pass kernel for the ReLU mask of a gradient: inputs `{ dy, y }` (same shape,
 * float32), output dy where y > 0 and 0 elsewhere. `@fedssd/native` registers it for 'cpu';
 * without it the gradient is step(y) * dy.
 */
export const RELU_GRAD_KERNEL = 'FedssdReluGrad';

/** Runs `grads`, then releases dy and the saved clones (see the module comment). */
export function releasing(grads: Grads): (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor[] {
  return (dy, saved) => {
    const single = dy as tf.Tensor;
    const out = grads(single, saved);
    tf.dispose([single, ...saved]);
    return out;
  };
}

/**
 * tf.conv2d (NHWC, no dilation) with an eager-releasing gradient.
 * @param inputGrad false for a layer whose input is the data (never needs a gradient): its
 *   input gradient is then zeros instead of a Conv2DBackpropInput.
 */
export function conv2dEager(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: 1 | 2,
  pad: 'same' | 'valid' | number,
  inputGrad: boolean,
): tf.Tensor4D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [xIn, fIn, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xIn, fIn]);
    const attrs = { strides: stride, pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
    return {
      value: tf.conv2d(xIn, fIn, stride, pad),
      gradFunc: releasing((dy, [xs, fs]) => {
        const xSaved = xs as tf.Tensor4D;
        const fSaved = fs as tf.Tensor4D;
        const dx = inputGrad
          ? tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy, filter: fSaved }, { ...attrs, inputShape: xSaved.shape })
          : tf.zerosLike(xSaved);
        const df = tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x: xSaved, dy }, { ...attrs, filterShape: fSaved.shape });
        return [dx, df];
      }),
    };
  });
  return op(x, filter) as tf.Tensor4D;
}

/** tf.maxPool(x, 2, 2, 'valid') with an eager-releasing gradient (MaxPoolGrad, as TF.js's own). */
export function maxPool2Eager(x: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [xIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const y = tf.maxPool(xIn, 2, 2, 'valid');
    save([xIn, y]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
    return {
      value: y,
      gradFunc: releasing((dy, [xs, ys]) => [
        tf.engine().runKernel<tf.Tensor>(tf.MaxPoolGrad, { dy, input: xs as tf.Tensor, output: ys as tf.Tensor }, attrs),
      ]),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * relu(a + b) for equal shapes (the residual join) as one node that saves only its output,
 * which the next layer saves anyway; TF.js's Relu would also keep the sum alive.
 */
export function addReluEager(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  if (a.shape.some((d, i) => d !== b.shape[i]))
    throw new RangeError(`addReluEager: shapes [${a.shape.join(',')}] and [${b.shape.join(',')}] differ`);
  const op = tf.customGrad((...args: unknown[]) => {
    const [aIn, bIn, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const y = tf.relu(tf.add(aIn, bIn));
    save([y]);
    return {
      value: y,
      gradFunc: releasing((dy, [ys]) => {
        // y > 0 exactly where a + b > 0; relu'(0) = 0 as in TF.js (step(0) = 0).
        const y = ys as tf.Tensor;
        const g = tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend())
          ? tf.engine().runKernel<tf.Tensor>(RELU_GRAD_KERNEL, { dy, y })
          : tf.tidy(() => tf.mul(dy, tf.step(y)));
        return [g, tf.clone(g)];
      }),
    };
  });
  return op(a, b) as tf.Tensor4D;
}
