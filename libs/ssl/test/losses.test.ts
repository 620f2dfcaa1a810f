import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ssdObjective, type SsdLosses } from '../src/losses/index.js';
import { basisOf, loadLossCases, worstExcess, type LossCase, type TermName, type ViewName } from './fixtures/losses-fixture.js';

const VIEWS: ViewName[] = ['h1', 'h2', 'zt1', 'zt2'];
const cases = loadLossCases();

function run(c: LossCase, basis: Tensor2D, views: Record<ViewName, Tensor2D>): SsdLosses {
  const { dsr, pd, uniformity } = c.opts;
  return ssdObjective(
    { h1: views.h1, h2: views.h2, zt1: views.zt1, zt2: views.zt2 },
    {
      uniformity,
      ...(dsr ? { dsr: { coeff: dsr.coeff, form: dsr.form, target: { basis, slice: dsr.slice, scale: dsr.scale } } } : {}),
      ...(pd ? { pd: { coeff: pd.coeff, temperature: pd.temperature } } : {}),
    },
  );
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ssdObjective against the PyTorch reference (float64, released-code style)', () => {
  it('has fixtures covering code and paper DSR, a batch of 2, d = 128 and the baseline', () => {
    expect(cases.map((c) => c.name)).toHaveLength(6);
    expect(cases.some((c) => c.n === 2)).toBe(true);
    expect(cases.some((c) => c.d === 128)).toBe(true);
    expect(cases.some((c) => c.opts.dsr?.form === 'paper')).toBe(true);
  });

  for (const c of cases) {
    it(`when given case "${c.name}", then every term and every gradient matches`, () => {
      const before = tf.memory().numTensors;
      const basis = basisOf(c);
      const views = Object.fromEntries(VIEWS.map((v) => [v, tf.tensor2d(c.inputs[v], [c.n, c.d])])) as Record<ViewName, Tensor2D>;

      const losses = run(c, basis, views);
      for (const term of ['total', 'align', 'uniformity', 'dsr', 'pd'] as TermName[]) {
        const value = losses[term].dataSync()[0] ?? NaN;
        expect(worstExcess([value], [c.values[term]]), `${term}: ${value} vs ${c.values[term]}`).toBe(0);
      }
      tf.dispose(Object.values(losses));

      for (const [term, expected] of Object.entries(c.grads) as [TermName, Record<ViewName, number[]>][]) {
        const grads = tf.grads((...xs: tf.Tensor[]) => {
          const [h1, h2, zt1, zt2] = xs as [Tensor2D, Tensor2D, Tensor2D, Tensor2D];
          const all = run(c, basis, { h1, h2, zt1, zt2 });
          // tf.grads refuses inputs a term does not depend on (e.g. align vs h); a zero-weighted
          // touch of every input keeps them on the tape with an exact zero gradient.
          const touch = tf.mul(tf.addN([h1, h2, zt1, zt2].map((x) => tf.sum(x))), 0);
          return tf.add(all[term], touch) as Scalar;
        })(VIEWS.map((v) => views[v]));
        VIEWS.forEach((v, i) => {
          const actual = grads[i]!.dataSync();
          expect(worstExcess(actual, expected[v]), `d ${term} / d ${v}`).toBe(0);
        });
        tf.dispose(grads);
      }
      tf.dispose([basis, ...Object.values(views)]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
