/**
 * Exports a trained encoder (input -> h, inference mode) as a TensorFlow.js layers-model
 * artifact: `model.json` plus one `weights.bin`, loadable with `tf.loadLayersModel` in a browser
 * or Node. Pure: builds JSON and bytes, does no I/O and allocates no tensors.
 */
import type { WeightTensor, Weights } from '@fedssd/tensor';
import { resolveSpec, type ModelKind, type ModelSpec } from '../models/index.js';
import { buildEncoderGraph } from './encoder-graph.js';
import { KerasGraph } from './keras-graph.js';

/** File name of the single weights shard that `model.json` points at. */
export const WEIGHTS_FILE = 'weights.bin';

/** One entry of a TF.js weights manifest. */
export type WeightSpecJson = { name: string; shape: number[]; dtype: 'float32' };

/** The `model.json` of a TF.js layers model (a type alias, so it is a plain JSON record). */
export type ModelJson = {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  /** Keras functional-model topology (class_name 'Model'). */
  modelTopology: Record<string, unknown>;
  weightsManifest: Array<{ paths: string[]; weights: WeightSpecJson[] }>;
};

/** A model artifact: `model.json` contents and the bytes of `weights.bin`. */
export interface ExportedEncoder {
  modelJson: ModelJson;
  /** float32 little-endian values, concatenated in manifest order. */
  weightData: Uint8Array;
}

/** Finds a weight by stable name and checks its shape and length, naming it when wrong. */
function weightLookup(weights: Weights): (name: string, shape: readonly number[]) => WeightTensor {
  const byName = new Map(weights.map((w) => [w.name, w]));
  return (name, shape) => {
    const w = byName.get(name);
    if (!w) throw new RangeError(`exportEncoder: weights has no ${name} (shape [${shape.join(', ')}]); do they match the spec?`);
    const same = w.shape.length === shape.length && w.shape.every((d, i) => d === shape[i]);
    if (!same) throw new RangeError(`exportEncoder: ${name} has shape [${w.shape.join(', ')}], expected [${shape.join(', ')}]`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (w.values.length !== size) throw new RangeError(`exportEncoder: ${name} has ${w.values.length} values, expected ${size}`);
    return w;
  };
}

/** True when this host stores floats little-endian (every common CPU), so bytes copy as-is. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/**
 * Concatenates float32 arrays little-endian: a plain byte copy on little-endian hosts (a full
 * ResNet-18 encoder is 45 MB), per-value DataView writes elsewhere.
 */
function packFloat32(arrays: readonly Float32Array[]): Uint8Array {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const a of arrays) {
    if (HOST_LITTLE_ENDIAN) bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    else for (let i = 0; i < a.length; i += 1) view.setFloat32(offset + i * 4, a[i] as number, true);
    offset += a.length * 4;
  }
  return bytes;
}

/**
 * Exports the encoder of a model as a TF.js layers model whose `predict(x)` equals
 * `model.encode(x)` (BatchNorm with the exported running statistics, eps 1e-5).
 * @param spec the spec the weights were trained with (or a kind for its default spec).
 * @param weights the model's full state (`getWeights()`); projector weights are ignored.
 *   Every `encoder.*` weight the spec needs must be present with its exact shape.
 */
export function exportEncoder(spec: ModelSpec | ModelKind, weights: Weights): ExportedEncoder {
  const resolved = resolveSpec(spec);
  const graph = new KerasGraph(weightLookup(weights));
  const { input, output } = buildEncoderGraph(graph, resolved);
  const modelName =
    resolved.kind === 'resnet18' ? 'resnet18_encoder' : resolved.kind === 'small' ? 'small_cnn_encoder' : 'small_signed_cnn_encoder';
  const modelJson: ModelJson = {
    format: 'layers-model',
    generatedBy: '@fedssd/ssl exportEncoder',
    convertedBy: null,
    modelTopology: graph.toTopology(modelName, input, output),
    weightsManifest: [
      {
        paths: [WEIGHTS_FILE],
        weights: graph.weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' })),
      },
    ],
  };
  return { modelJson, weightData: packFloat32(graph.weights.map((w) => w.values)) };
}

/** The two files to serve side by side: `model.json` (JSON text) and `weights.bin`. */
export function encoderFiles(spec: ModelSpec | ModelKind, weights: Weights): { 'model.json': string; 'weights.bin': Uint8Array } {
  const { modelJson, weightData } = exportEncoder(spec, weights);
  return { 'model.json': JSON.stringify(modelJson), 'weights.bin': weightData };
}
