/**
 * Named model state. TF.js variables live in a process-wide registry where names must be
 * unique, so two models with the same layer names would collide: we let TF.js auto-name the
 * variables and keep our own stable names here, which are what weight exchange uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightTensor, Weights } from '@fedssd/tensor';

export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly trainable: boolean;
}

export class ParamStore {
  private readonly byName = new Map<string, NamedVariable>();

  /** Registers a variable under a stable name; throws on duplicates. */
  add(name: string, shape: readonly number[], values: Float32Array, trainable: boolean): tf.Variable {
    if (this.byName.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, [...shape], 'float32'), trainable));
    this.byName.set(name, { name, variable, trainable });
    return variable;
  }

  /** All entries sorted by stable name. */
  entries(): NamedVariable[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Full state as plain arrays, sorted by name. */
  read(): Weights {
    return this.entries().map((e): WeightTensor => ({
      name: e.name,
      shape: [...e.variable.shape],
      values: new Float32Array(e.variable.dataSync() as Float32Array),
    }));
  }

  /** Replaces every value; the names and shapes must match exactly (checked before any write). */
  write(weights: Weights): void {
    const given = new Map<string, WeightTensor>();
    for (const w of weights) {
      if (given.has(w.name)) throw new Error(`setWeights: duplicate weight name ${w.name}`);
      given.set(w.name, w);
    }
    const missing: string[] = [];
    for (const e of this.byName.values()) {
      const w = given.get(e.name);
      if (!w) {
        missing.push(e.name);
        continue;
      }
      const expected = e.variable.shape;
      if (w.shape.length !== expected.length || w.shape.some((d, i) => d !== expected[i])) {
        throw new Error(`setWeights: ${e.name} has shape [${w.shape.join(',')}], expected [${expected.join(',')}]`);
      }
      if (w.values.length !== e.variable.size) {
        throw new Error(`setWeights: ${e.name} has ${w.values.length} values, expected ${e.variable.size}`);
      }
    }
    if (missing.length > 0)
      throw new Error(`setWeights: missing weights ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    const unknown = [...given.keys()].filter((n) => !this.byName.has(n));
    if (unknown.length > 0)
      throw new Error(`setWeights: unknown weights ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}`);
    for (const e of this.byName.values()) {
      const w = given.get(e.name) as WeightTensor;
      tf.tidy(() => e.variable.assign(tf.tensor(w.values, [...e.variable.shape], 'float32')));
    }
  }

  dispose(): void {
    for (const e of this.byName.values()) e.variable.dispose();
    this.byName.clear();
  }
}
