import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { alignLoss } from './align.js';
import { assertNonNegative, assertSameShape } from './checks.js';
import { distillationLoss } from './distillation.js';
import { dsrLoss } from './dsr.js';
import { l2NormalizeRows } from './ops.js';
import type { DsrForm, DsrOn, DsrTarget } from './types.js';
import { uniformityLoss } from './uniformity.js';

/** Both augmented views of one batch: encoder outputs h and raw (unnormalised) projector outputs zt. */
export interface SsdViews {
  h1: Tensor2D;
  h2: Tensor2D;
  zt1: Tensor2D;
  zt2: Tensor2D;
}

/** Loss weights; a term that is absent is switched off and reported as 0. */
export interface SsdObjectiveOptions {
  /** beta, weight of L_uniform (default 1; 0 turns it off but it is still reported). */
  uniformity?: number;
  /** gamma and the client's DSR target; omit for FedAlignUniform / PD-only. */
  dsr?: { coeff: number; target: DsrTarget; form?: DsrForm; on?: DsrOn };
  /** delta and tau (default 0.5); omit for FedAlignUniform / DSR-only. */
  pd?: { coeff: number; temperature?: number };
}

/** Each term unweighted (as in docs/METHOD.md §2) plus the weighted total; all scalars owned by the caller. */
export interface SsdLosses {
  total: Scalar;
  align: Scalar;
  uniformity: Scalar;
  dsr: Scalar;
  pd: Scalar;
}

/**
 * SSD per-client objective: total = align + beta * uniformity + gamma * dsr + delta * pd, with
 * z = zt / ||zt|| computed here, uniformity and DSR averaged over the two views, and PD averaged
 * over (h1, zt1) and (h2, zt2). The caller disposes the returned scalars (or runs this inside
 * tf.tidy / optimizer.minimize).
 */
export function ssdObjective(views: SsdViews, opts: SsdObjectiveOptions = {}): SsdLosses {
  const { h1, h2, zt1, zt2 } = views;
  assertSameShape('zt1', zt1, 'zt2', zt2, 2);
  const beta = opts.uniformity ?? 1;
  assertNonNegative('uniformity', beta);
  if (opts.dsr) assertNonNegative('dsr.coeff', opts.dsr.coeff);
  const dsrOn = opts.dsr?.on ?? 'z';
  if (dsrOn !== 'z' && dsrOn !== 'h') throw new RangeError(`dsr.on must be 'z' or 'h', got ${String(dsrOn)}`);
  if (opts.dsr && dsrOn === 'h') {
    // The client's slice and basis live in the projector's d dimensions: h must have as many.
    assertSameShape('h1', h1, 'zt1', zt1);
    assertSameShape('h2', h2, 'zt2', zt2);
  }
  if (opts.pd) {
    assertNonNegative('pd.coeff', opts.pd.coeff);
    assertSameShape('h1', h1, 'zt1', zt1);
    assertSameShape('h2', h2, 'zt2', zt2);
  }
  return tf.tidy(() => {
    const z1 = l2NormalizeRows(zt1);
    const z2 = l2NormalizeRows(zt2);
    const align = alignLoss(z1, z2);
    const uniformity = tf.div(tf.add(uniformityLoss(z1), uniformityLoss(z2)), 2) as Scalar;
    let total = tf.add(align, tf.mul(uniformity, beta)) as Scalar;

    let dsr = tf.scalar(0);
    if (opts.dsr) {
      const { target, form, coeff } = opts.dsr;
      // The diagnostic puts DSR's push straight on the encoder's features, bypassing the projector.
      const [d1, d2] = dsrOn === 'h' ? [l2NormalizeRows(h1), l2NormalizeRows(h2)] : [z1, z2];
      dsr = tf.div(tf.add(dsrLoss(d1, target, form), dsrLoss(d2, target, form)), 2) as Scalar;
      total = tf.add(total, tf.mul(dsr, coeff)) as Scalar;
    }
    let pd = tf.scalar(0);
    if (opts.pd) {
      const tau = opts.pd.temperature ?? 0.5;
      pd = tf.div(tf.add(distillationLoss(h1, zt1, tau), distillationLoss(h2, zt2, tau)), 2) as Scalar;
      total = tf.add(total, tf.mul(pd, opts.pd.coeff)) as Scalar;
    }
    return { total, align, uniformity, dsr, pd };
  });
}
