import { z } from 'zod';
import { bool, intBetween, numberIn, oneOf, shown, text } from './fields.js';

/** Training methods: baseline = FedAlignUniform; dsr / pd add one SSD loss; ssd adds both. */
export const METHODS = ['baseline', 'dsr', 'pd', 'ssd'] as const;
export type Method = (typeof METHODS)[number];
export const DATASETS = ['synthetic', 'mnist', 'fashion-mnist', 'cifar10'] as const;
export type Dataset = (typeof DATASETS)[number];
export const MODELS = ['small', 'small-signed', 'resnet18'] as const;
export type ModelKind = (typeof MODELS)[number];

/** Largest uint32, the range of seeds. */
/** Element encodings of update deltas on the wire (the weight codec's dtypes). */
export const WIRE_PRECISIONS = ['fp32', 'fp16', 'int8'] as const;
export type WirePrecision = (typeof WIRE_PRECISIONS)[number];

export const MAX_SEED = 0xffff_ffff;

/** DSR settings (docs/METHOD.md §4). `coeff` is gamma; `scale` is w; `sliceSize` is m. */
export const DsrConfigSchema = z.strictObject({
  /** gamma, weight of L_DSR; default 1. */
  coeff: numberIn({ gte: 0, lte: 1000 }).default(1),
  /** w, the scale of the client's own coordinates; default 10. */
  scale: numberIn({ gt: 0, lte: 1e6 }).default(10),
  /** m, coordinates per client slice; default floor(d / K), and K * m <= d is checked by the core. */
  sliceSize: intBetween(1, 65_536).optional(),
  /** 'code' (released code, the default) or 'paper'. */
  form: oneOf(['code', 'paper']).default('code'),
  /**
   * Where DSR acts: 'z', the normalised projector output (the method, and what absent means), or
   * 'h', the normalised encoder output: the projector-free diagnostic (docs/METHOD.md §4), which
   * needs dim(h) = dim(z). Optional so that configs stored before it parse to the same record.
   */
  on: oneOf(['z', 'h']).optional(),
});

/** PD settings (docs/METHOD.md §5). `coeff` is delta. */
export const PdConfigSchema = z.strictObject({
  /** delta, weight of L_PD; default 0.1. */
  coeff: numberIn({ gte: 0, lte: 1000 }).default(0.1),
  /** tau, softmax temperature; default 0.5. */
  temperature: numberIn({ gt: 0, lte: 100 }).default(0.5),
});

/** A site name inside a run config (the same rule as enrolment). */
function siteNameField() {
  return z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { error: (iss) => `must be a site name: 1-32 characters of [a-z0-9-] (got ${shown(iss.input)})` });
}

/** Heterogeneous compute: a site may train fewer epochs or smaller batches than the run's defaults. */
export const SiteOverridesSchema = z.strictObject({
  localEpochs: intBetween(1, 1000).optional(),
  batchSize: intBetween(2, 65_536).optional(),
});

/**
 * A federated training run. Defaults follow the federated protocol of docs/METHOD.md §6 (cross-silo: K = 10,
 * everyone every round, alpha 0.1, 5 local epochs, batch 128, SGD lr 0.1, momentum 0.9, weight decay
 * 1e-4) on the small model and synthetic data, which run on a CPU. Unknown keys are rejected so
 * a misspelt field does not silently fall back to its default.
 */
export const RunConfigSchema = z
  .strictObject({
    method: oneOf(METHODS).default('ssd'),
    dataset: oneOf(DATASETS).default('synthetic'),
    /** Directory holding the dataset files (IDX or CIFAR binaries); not used for synthetic data. */
    dataDir: text(4096).optional(),
    model: oneOf(MODELS).default('small'),
    /** Channel width multiplier of the encoder, in (0, 4]; the model preset's own width when absent. */
    modelWidth: numberIn({ gt: 0, lte: 4 }).optional(),
    /** K, the number of clients the data is split across. */
    clients: intBetween(1, 1000).default(10),
    /** Dirichlet concentration of the label skew (0.1 = strong skew). */
    alpha: numberIn({ gt: 0, lte: 1e6 }).default(0.1),
    /** Fraction of clients sampled per round, in (0, 1]; at least one client is always sampled. */
    participation: numberIn({ gt: 0, lte: 1 }).default(1),
    rounds: intBetween(1, 10_000).default(100),
    localEpochs: intBetween(1, 1000).default(5),
    /** Mini-batch size; at least 2 because uniformity needs pairs. */
    batchSize: intBetween(2, 65_536).default(128),
    /** SGD learning rate (constant). */
    lr: numberIn({ gt: 0, lte: 100 }).default(0.1),
    momentum: numberIn({ gte: 0, lt: 1 }).default(0.9),
    weightDecay: numberIn({ gte: 0, lte: 1 }).default(1e-4),
    /** Root seed of every random choice in the run (uint32). */
    seed: intBetween(0, MAX_SEED).default(0),
    /** Use only the first N training images (for quick runs). */
    trainLimit: intBetween(1, 100_000_000).optional(),
    dsr: DsrConfigSchema.prefault({}),
    pd: PdConfigSchema.prefault({}),
    /** beta, weight of L_uniform; default 1. */
    uniformity: numberIn({ gte: 0, lte: 1000 }).default(1),
    /** Evaluate the global model every N rounds (the last round is always evaluated). */
    evalEvery: intBetween(1, 10_000).default(1),
    /** Close a round early once this many clients reported and `graceMs` passed; all selected when absent. */
    minClients: intBetween(1, 1000).optional(),
    /** Grace period after `minClients` reported, in milliseconds; default 5 s. */
    graceMs: intBetween(0, 86_400_000).default(5_000),
    /** Hard round deadline from round open, in milliseconds; default 30 min. */
    roundDeadlineMs: intBetween(1_000, 7 * 86_400_000).default(1_800_000),
    /** Start the next round as soon as one closes, until `rounds` is reached. */
    autoAdvance: bool().default(false),
    /**
     * 'simulation' (default): a public data set partitioned into `clients` virtual clients, any pool
     * trainer serves any of them. 'federated': enrolled sites train on their own data through their
     * own queues; the aggregator holds no client data (docs/FEDERATION.md).
     */
    mode: oneOf(['simulation', 'federated']).default('simulation'),
    /** Federated: the sites taking part (sorted; a site's client id is its index); all active enrolled sites when absent. */
    sites: z.array(siteNameField()).min(1, { error: 'must name at least one site' }).max(1000).optional(),
    /** Federated: [height, width, channels] of the sites' images (the aggregator sees none to infer it from). */
    inputShape: z.tuple([intBetween(4, 4096), intBetween(4, 4096), intBetween(1, 64)]).optional(),
    /** Federated: per-site compute overrides carried in that site's jobs. */
    siteOverrides: z.record(siteNameField(), SiteOverridesSchema).optional(),
    /** Reject updates whose delta has an L2 norm above this bound; no bound when absent. */
    maxUpdateL2Norm: numberIn({ gt: 0 }).optional(),
    /**
     * How trainers encode their deltas on the wire: fp32 (lossless, default), fp16 (half the
     * bytes, relative error <= 2^-11) or int8 (a quarter, per-tensor scale, error <= maxAbs/254).
     * Simulate encodes the same way, so a run's bytes are the same in both (docs/PERFORMANCE.md).
     */
    wirePrecision: oneOf(WIRE_PRECISIONS).default('fp32'),
  })
  .superRefine((config, ctx) => {
    // Cross-field bound: a quorum larger than the population could never be met.
    const federatedOnly = (['sites', 'inputShape', 'siteOverrides'] as const).filter((k) => config[k] !== undefined);
    if (config.mode === 'simulation') {
      for (const key of federatedOnly) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: config[key],
          message: `only applies when mode is 'federated' (got mode 'simulation')`,
        });
      }
    } else {
      if (config.inputShape === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['inputShape'],
          input: undefined,
          message: `is required when mode is 'federated': [height, width, channels] of the sites' images`,
        });
      }
      if (config.sites !== undefined && new Set(config.sites).size !== config.sites.length) {
        ctx.addIssue({ code: 'custom', path: ['sites'], input: config.sites, message: 'must not name a site twice' });
      }
    }
    if (config.minClients !== undefined && config.minClients > config.clients) {
      ctx.addIssue({
        code: 'custom',
        path: ['minClients'],
        input: config.minClients,
        message: `must be at most clients (${config.clients}) (got ${config.minClients})`,
      });
    }
  });

/** A run config as submitted (defaults not yet applied). */
export type RunConfigInput = z.input<typeof RunConfigSchema>;
/** A run config with every default applied. */
export type RunConfig = z.output<typeof RunConfigSchema>;
export type SiteOverrides = z.output<typeof SiteOverridesSchema>;
export type DsrConfig = z.output<typeof DsrConfigSchema>;

/** Which SSD losses a method switches on. */
export interface MethodObjective {
  readonly dsr: boolean;
  readonly pd: boolean;
}

/** baseline: neither; dsr: DSR only; pd: PD only; ssd: both. */
export function methodObjective(method: Method): MethodObjective {
  switch (method) {
    case 'baseline':
      return { dsr: false, pd: false };
    case 'dsr':
      return { dsr: true, pd: false };
    case 'pd':
      return { dsr: false, pd: true };
    case 'ssd':
      return { dsr: true, pd: true };
  }
}
