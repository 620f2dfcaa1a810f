/**
 * Builds a Keras functional-model topology (the JSON that `model.json` carries) layer by layer,
 * collecting the weights each layer needs from our named state, in load order. Plain JSON only:
 * no TF.js layers are instantiated, so exporting needs no backend and allocates no tensors.
 */
import type { WeightTensor } from '@fedssd/tensor';

/** Keras layer config: snake_case keys, as Python Keras and TF.js `model.json` files use. */
export type KerasConfig = Record<string, unknown>;

/** One layer of a functional model's `config.layers`. */
export interface KerasLayerJson {
  readonly class_name: string;
  readonly name: string;
  readonly config: KerasConfig;
  /** One node per call; each node lists [layer, nodeIndex, tensorIndex, kwargs] of its inputs. */
  readonly inbound_nodes: Array<Array<[string, number, number, Record<string, never>]>>;
}

/** A weight as the exported model names it (`<layer>/<kernel|gamma|...>`), with its values. */
export interface ExportedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

const init = (className: string): KerasConfig => ({ class_name: className, config: {} });

/** Keras names for our BatchNorm state, in the order a Keras BatchNormalization layer holds it. */
const BN_WEIGHTS = [
  ['gamma', 'gamma'],
  ['beta', 'beta'],
  ['runningMean', 'moving_mean'],
  ['runningVar', 'moving_variance'],
] as const;

/** PyTorch's BatchNorm eps, which the trained statistics were computed with. */
const BN_EPS = 1e-5;

export class KerasGraph {
  readonly layers: KerasLayerJson[] = [];
  readonly weights: ExportedWeight[] = [];

  /** @param lookup returns the named source weight, throwing when it is missing or misshapen. */
  constructor(private readonly lookup: (name: string, shape: readonly number[]) => WeightTensor) {}

  /** The model input, [batch, height, width, channels] with a free batch size. */
  input(name: string, shape: readonly [number, number, number]): string {
    const config = { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name };
    this.layers.push({ class_name: 'InputLayer', name, config, inbound_nodes: [] });
    return name;
  }

  /**
   * A bias-free square conv that reproduces the model's padding: 1x1 convs are 'valid'; 3x3 at
   * stride 1 are 'same' (symmetric there); 3x3 at stride 2 get an explicit ZeroPadding2D(1) and
   * 'valid', because Keras 'same' at stride 2 pads only bottom/right on even inputs.
   * @param source stable name of our conv ('encoder.stem.conv'); its `.kernel` is [k, k, cin, cout].
   */
  conv(from: string, layer: string, source: string, size: number, cin: number, cout: number, stride: 1 | 2): string {
    const half = Math.floor(size / 2);
    let input = from;
    let padding = half === 0 ? 'valid' : 'same';
    if (stride === 2 && half > 0) {
      input = this.push('ZeroPadding2D', `${layer}_pad`, [from], {
        padding: [
          [half, half],
          [half, half],
        ],
        data_format: 'channels_last',
      });
      padding = 'valid';
    }
    const kernel = this.lookup(`${source}.kernel`, [size, size, cin, cout]);
    this.weights.push({ name: `${layer}/kernel`, shape: kernel.shape, values: kernel.values });
    return this.push('Conv2D', layer, [input], {
      filters: cout,
      kernel_size: [size, size],
      strides: [stride, stride],
      padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'linear',
      use_bias: false,
      kernel_initializer: init('Zeros'),
    });
  }

  /** Inference BatchNorm over channels with the exported moving statistics and eps 1e-5. */
  batchNorm(from: string, layer: string, source: string, channels: number): string {
    for (const [ours, keras] of BN_WEIGHTS) {
      const w = this.lookup(`${source}.${ours}`, [channels]);
      this.weights.push({ name: `${layer}/${keras}`, shape: w.shape, values: w.values });
    }
    return this.push('BatchNormalization', layer, [from], {
      axis: -1,
      // Keras momentum is PyTorch's 1 - 0.1; it only matters if someone fine-tunes the export.
      momentum: 0.9,
      epsilon: BN_EPS,
      center: true,
      scale: true,
      beta_initializer: init('Zeros'),
      gamma_initializer: init('Ones'),
      moving_mean_initializer: init('Zeros'),
      moving_variance_initializer: init('Ones'),
    });
  }

  relu(from: string, layer: string): string {
    return this.push('Activation', layer, [from], { activation: 'relu' });
  }

  /** 2x2 max-pool, stride 2, 'valid' (odd sizes floor, like the model). */
  maxPool(from: string, layer: string): string {
    return this.push('MaxPooling2D', layer, [from], { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' });
  }

  add(a: string, b: string, layer: string): string {
    return this.push('Add', layer, [a, b], {});
  }

  globalAvgPool(from: string, layer: string): string {
    return this.push('GlobalAveragePooling2D', layer, [from], { data_format: 'channels_last' });
  }

  /** The functional model's topology with one input and one output. */
  toTopology(modelName: string, input: string, output: string): Record<string, unknown> {
    return {
      class_name: 'Model',
      config: { name: modelName, layers: this.layers, input_layers: [[input, 0, 0]], output_layers: [[output, 0, 0]] },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    };
  }

  private push(className: string, name: string, inputs: readonly string[], config: KerasConfig): string {
    if (this.layers.some((l) => l.name === name)) throw new Error(`duplicate layer name ${name}`);
    const inbound = inputs.map((i): [string, number, number, Record<string, never>] => [i, 0, 0, {}]);
    this.layers.push({
      class_name: className,
      name,
      config: { name, trainable: true, dtype: 'float32', ...config },
      inbound_nodes: [inbound],
    });
    return name;
  }
}
