/**
 * Seeded pseudo-random numbers for everything that must be reproducible (weight init,
 * partitions, augmentations, sampling). sfc32 seeded through splitmix32: fast, 128-bit
 * state, identical on every platform because it only uses 32-bit integer maths.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform float in [low, high). */
  uniform(low: number, high: number): number;
  /** Standard normal (Box-Muller, one value per call). */
  normal(): number;
  /** Gamma(shape, 1) sample (Marsaglia-Tsang; boosts shape < 1). */
  gamma(shape: number): number;
  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** A new independent generator derived from this one and a label. */
  fork(label: string | number): Rng;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string | number): number {
  const text = String(label);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h;
}

/** Creates a generator from an integer seed (any 32-bit value). */
export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i += 1) nextU32();

  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    uniform: (low, high) => low + (high - low) * (nextU32() / 4294967296),
    normal: () => {
      let u = 0;
      while (u === 0) u = nextU32() / 4294967296;
      const v = nextU32() / 4294967296;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    gamma: (shape) => {
      if (shape <= 0) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
      if (shape < 1) {
        const u = rng.next() || Number.MIN_VALUE;
        return rng.gamma(shape + 1) * Math.pow(u, 1 / shape);
      }
      const dd = shape - 1 / 3;
      const cc = 1 / Math.sqrt(9 * dd);
      for (;;) {
        let x: number;
        let v: number;
        do {
          x = rng.normal();
          v = 1 + cc * x;
        } while (v <= 0);
        v = v * v * v;
        const u = rng.next();
        if (u < 1 - 0.0331 * x * x * x * x) return dd * v;
        if (Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
      }
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i -= 1) {
        const j = Math.floor((nextU32() / 4294967296) * (i + 1));
        const tmp = items[i] as (typeof items)[number];
        items[i] = items[j] as (typeof items)[number];
        items[j] = tmp;
      }
      return items;
    },
    fork: (label) => createRng((nextU32() ^ hashLabel(label)) >>> 0),
  };
  return rng;
}

/** Derives a generator from a seed and a path of labels without consuming a parent's stream. */
export function deriveRng(seed: number, ...labels: Array<string | number>): Rng {
  let s = seed >>> 0;
  for (const label of labels) s = (Math.imul(s ^ hashLabel(label), 0x9e3779b1) + 0x7f4a7c15) >>> 0;
  return createRng(s);
}
