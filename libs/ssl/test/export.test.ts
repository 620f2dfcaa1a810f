import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, encoderFiles, exportEncoder, type ModelJson, type ModelSpec, type SslModel } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A model whose BN running statistics are far from (0, 1): two training-mode passes on shifted data. */
function trainedModel(spec: ModelSpec, seed: number): SslModel {
  const model = createModel(spec, seed);
  for (let i = 0; i < 2; i += 1) {
    tf.tidy(() => {
      const x = tf.add(tf.mul(tf.randomUniform([6, ...spec.inputShape], 0, 1, 'float32', seed + i), 3), 0.5) as tf.Tensor4D;
      const { h, zt } = model.forward(x, true);
      h.dispose();
      zt.dispose();
    });
  }
  return model;
}

/** Loads the served files (model.json text + weights.bin) through TF.js's own loader, as a browser would. */
async function loadExport(spec: ModelSpec, model: SslModel): Promise<tfl.LayersModel> {
  const files = encoderFiles(spec, model.getWeights());
  const modelJson = JSON.parse(files['model.json']) as ModelJson;
  const weightData = files['weights.bin'];
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const buffer = weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData: buffer }));
}

async function maxDiffAgainstEncode(spec: ModelSpec, seed: number): Promise<number> {
  const before = tf.memory().numTensors;
  const model = trainedModel(spec, seed);
  const runningVar = model.getWeights().find((w) => w.name.endsWith('.runningVar'));
  // The comparison is only meaningful if inference BN differs from the (0, 1) init.
  expect(Math.abs((runningVar?.values[0] ?? 1) - 1)).toBeGreaterThan(1e-3);
  const loaded = await loadExport(spec, model);
  const x = tf.randomUniform([5, ...spec.inputShape], -1, 2, 'float32', seed + 100) as tf.Tensor4D;
  const expected = model.encode(x);
  const actual = loaded.predict(x) as tf.Tensor;
  expect(actual.shape).toEqual(expected.shape);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] as number);
  const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0] as number);
  expect(scale).toBeGreaterThan(1e-2); // not a degenerate all-zero output
  [x, expected, actual].forEach((t) => t.dispose());
  loaded.dispose();
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return diff;
}

describe('exportEncoder', () => {
  it('when the small CNN export is loaded by tf.loadLayersModel, then predict equals encode', async () => {
    const diff = await maxDiffAgainstEncode({ kind: 'small', inputShape: [28, 28, 1], featureDim: 128 }, 11);
    expect(diff).toBeLessThan(1e-4);
  });

  it('when the small CNN has odd-sized inputs (pools floor), then predict still equals encode', async () => {
    const diff = await maxDiffAgainstEncode({ kind: 'small', inputShape: [15, 13, 3], featureDim: 128 }, 12);
    expect(diff).toBeLessThan(1e-4);
  });

  it('when a width-0.25 resnet18 export is loaded, then predict equals encode', async () => {
    const diff = await maxDiffAgainstEncode({ kind: 'resnet18', inputShape: [32, 32, 3], featureDim: 128, width: 0.25 }, 13);
    expect(diff).toBeLessThan(1e-4);
  });

  it('when the resnet input is odd-sized (stride-2 padding matters), then predict still equals encode', async () => {
    const diff = await maxDiffAgainstEncode({ kind: 'resnet18', inputShape: [9, 11, 3], featureDim: 32, width: 1 / 16 }, 14);
    expect(diff).toBeLessThan(1e-4);
  });

  it('when exported, then model.json is a layers-model with only encoder weights, packed in manifest order', () => {
    const spec: ModelSpec = { kind: 'resnet18', inputShape: [8, 8, 3], featureDim: 32, width: 1 / 16 };
    const model = createModel(spec, 5);
    const weights = model.getWeights();
    model.dispose();
    const files = encoderFiles(spec, weights);
    const json = JSON.parse(files['model.json']) as ModelJson;
    expect(json.format).toBe('layers-model');
    expect(json.convertedBy).toBeNull();
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0]?.paths).toEqual(['weights.bin']);
    const specs = json.weightsManifest[0]?.weights ?? [];
    const encoderValues = weights.filter((w) => w.name.startsWith('encoder.')).reduce((n, w) => n + w.values.length, 0);
    expect(files['weights.bin'].byteLength).toBe(encoderValues * 4);
    expect(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0)).toBe(encoderValues);
    expect(specs.some((s) => s.name.startsWith('projector'))).toBe(false);
    // Spot-check one tensor's bytes: the stage-2 shortcut BN variance, little-endian float32.
    let offset = 0;
    for (const s of specs) {
      if (s.name === 'stage2_block0_shortcut_bn/moving_variance') break;
      offset += s.shape.reduce((a, b) => a * b, 1) * 4;
    }
    const source = weights.find((w) => w.name === 'encoder.stage2.block0.shortcut.bn.runningVar');
    const view = new DataView(files['weights.bin'].buffer, files['weights.bin'].byteOffset);
    expect(view.getFloat32(offset, true)).toBe(source?.values[0]);
    const layers = (json.modelTopology.config as { layers: Array<{ class_name: string }> }).layers;
    expect(layers.filter((l) => l.class_name === 'ZeroPadding2D')).toHaveLength(3); // stride-2 3x3 convs of stages 2-4
  });

  it('when weights are missing or misshapen, then it names the weight', () => {
    const spec: ModelSpec = { kind: 'small', inputShape: [28, 28, 1], featureDim: 128 };
    const model = createModel(spec, 1);
    const weights = model.getWeights();
    model.dispose();
    expect(() =>
      exportEncoder(
        spec,
        weights.filter((w) => w.name !== 'encoder.block2.bn.runningMean'),
      ),
    ).toThrow(/encoder\.block2\.bn\.runningMean/);
    const wrong = weights.map((w) => (w.name === 'encoder.block1.conv.kernel' ? { ...w, shape: [3, 3, 3, 32] } : w));
    expect(() => exportEncoder(spec, wrong)).toThrow(/encoder\.block1\.conv\.kernel has shape \[3, 3, 3, 32\]/);
    expect(() => exportEncoder({ kind: 'resnet18', inputShape: [32, 32, 3], featureDim: 512 }, weights)).toThrow(
      /encoder\.stem\.conv\.kernel/,
    );
  });
});
