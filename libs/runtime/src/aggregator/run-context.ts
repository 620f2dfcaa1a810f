import { prepareRun, type DataLoader, type LabelledSet, type PreparedRun } from '@fedssd/engine';
import { decodeWeights, type Weights } from '@fedssd/tensor';
import type { RunConfig, RunRecord } from '@fedssd/protocol';
import type { RunRepository } from '@fedssd/transport';

/**
 * What the aggregator derives from a run's config and data, cached per run in memory. Nothing
 * here is state: a restarted aggregator rebuilds it from the run record and the data set, and
 * `prepareRun` gives the same partition and targets in every process.
 */
export interface RunContext {
  readonly runId: string;
  readonly config: RunConfig;
  readonly train: LabelledSet;
  readonly prepared: PreparedRun;
  /** The held-out split, loaded on first evaluation. */
  testSet(): Promise<LabelledSet>;
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

  async function build(run: RunRecord): Promise<RunContext> {
    const { config, runId } = run;
    const train = await deps.loadData(config, 'train', config.trainLimit);
    const prepared = prepareRun(config, train);
    let test: Promise<LabelledSet> | undefined;
    const globals = new Map<number, Weights>();
    return {
      runId,
      config,
      train,
      prepared,
      testSet: () => (test ??= deps.loadData(config, 'test', deps.evalTestLimit)),
      async global(version) {
        const cached = globals.get(version);
        if (cached) return cached;
        const bytes = await deps.runs.getModel(runId, version);
        if (bytes === null) throw new MissingModelError(runId, version);
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
