import { modelSpecFor, prepareRun, runTargets, type DataLoader, type LabelledSet, type PreparedRun } from '@fedssd/engine';
import type { SsdTargets } from '@fedssd/fedavg';
import type { RunConfig, RunRecord } from '@fedssd/protocol';
import type { ModelSpec } from '@fedssd/ssl';
import { decodeWeights, type Weights } from '@fedssd/tensor';
import type { RunRepository } from '@fedssd/transport';

/**
 * What the aggregator derives from a run's record, cached per run in memory. Nothing here is
 * state: a restarted aggregator rebuilds it, and the same config gives the same spec, targets
 * and (in simulation mode) partition in every process.
 */
export interface RunContext {
  readonly runId: string;
  readonly config: RunConfig;
  readonly spec: ModelSpec;
  /** SSD targets; for methods without DSR only when they exist for this K and d (mechanism check). */
  readonly targets: SsdTargets | undefined;
  /** Simulation mode: the partitioned public data set (client sample counts, evaluation sets). */
  readonly simulation?: {
    readonly train: LabelledSet;
    readonly prepared: PreparedRun;
    /** The held-out split, loaded on first evaluation. */
    testSet(): Promise<LabelledSet>;
  };
  /** Federated mode: the run's sites (a site's client id is its index); the server holds no client data. */
  readonly federated?: { readonly sites: readonly string[] };
  /** Global model of `version`, decoded once and kept (the latest two versions). */
  global(version: number): Promise<Weights>;
}

/** Thrown when a global model blob the run needs is missing from the store. */
export class MissingModelError extends Error {
  constructor(runId: string, version: number) {
    super(`run ${runId}: global model v${version} is missing`);
    this.name = 'MissingModelError';
  }
}

export interface RunContextCache {
  get(run: RunRecord): Promise<RunContext>;
  forget(runId: string): void;
}

export function createRunContextCache(deps: { runs: RunRepository; loadData: DataLoader; evalTestLimit: number }): RunContextCache {
  const contexts = new Map<string, Promise<RunContext>>();

  async function modeParts(run: RunRecord): Promise<Pick<RunContext, 'spec' | 'targets' | 'simulation' | 'federated'>> {
    const { config } = run;
    if (config.mode === 'federated') {
      if (config.inputShape === undefined || run.sites === undefined)
        throw new Error(`run ${run.runId}: a federated run needs its input shape and resolved sites`);
      const spec = modelSpecFor(config, config.inputShape);
      return { spec, targets: runTargets(config, spec.featureDim), federated: { sites: run.sites } };
    }
    const train = await deps.loadData(config, 'train', config.trainLimit);
    const prepared = prepareRun(config, train);
    let test: Promise<LabelledSet> | undefined;
    return {
      spec: prepared.spec,
      targets: prepared.targets,
      simulation: { train, prepared, testSet: () => (test ??= deps.loadData(config, 'test', deps.evalTestLimit)) },
    };
  }

  async function build(run: RunRecord): Promise<RunContext> {
    const globals = new Map<number, Weights>();
    return {
      runId: run.runId,
      config: run.config,
      ...(await modeParts(run)),
      async global(version) {
        const cached = globals.get(version);
        if (cached) return cached;
        const bytes = await deps.runs.getModel(run.runId, version);
        if (bytes === null) throw new MissingModelError(run.runId, version);
        const weights = decodeWeights(bytes);
        globals.set(version, weights);
        // Only the current base and the newest version are ever needed.
        for (const v of globals.keys()) if (v < version - 1) globals.delete(v);
        return weights;
      },
    };
  }

  return {
    get(run) {
      let context = contexts.get(run.runId);
      if (!context) {
        context = build(run);
        contexts.set(run.runId, context);
        // A failed build (e.g. data missing) must not poison the cache.
        context.catch(() => contexts.delete(run.runId));
      }
      return context;
    },
    forget: (runId) => void contexts.delete(runId),
  };
}
