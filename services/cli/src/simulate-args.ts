import { parseArgs } from 'node:util';
import type { RunConfig } from '@fedssd/protocol';
import { buildRunConfig, joinNegativeValues, parseNumber, RUN_CONFIG_FLAGS } from './run-config-flags.js';
import { UserError } from './user-error.js';

/** Options of `fedssd simulate` that are not part of the run config. */
export interface SimulateOptions {
  config: RunConfig;
  out: string;
  testLimit: number | undefined;
  probeEpochs: number;
  backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  quiet: boolean;
  /** Save the run after every round into this folder. */
  /** Write the final global model's weights here as JSON ({name, shape, values}[]), when given. */
  saveModel: string | undefined;
  checkpoint: string | undefined;
  /** Continue the run saved in `checkpoint`. */
  resume: boolean;
}

export const SIMULATE_HELP = `Usage: fedssd simulate [flags]

Runs a federated self-supervised run in one process: K virtual clients, in-memory transport.

Run config (defaults follow docs/METHOD.md; ranges are checked and named on error):
  --method baseline|dsr|pd|ssd   --dataset synthetic|mnist|fashion-mnist|cifar10   --data-dir DIR
  --model small|small-signed|resnet18   --model-width W   --clients K   --alpha A   --participation P
  --rounds R   --local-epochs E   --batch-size B   --lr LR   --momentum M   --weight-decay WD   --seed S
  --train-limit N (first N training images)   --uniformity BETA   --dsr-coeff GAMMA   --dsr-scale W
  --slice-size M   --dsr-form code|paper   --dsr-on z|h (h: the projector-free diagnostic)   --pd-coeff DELTA   --pd-temperature TAU   --eval-every N
  --wire-precision fp32|fp16|int8   encoding of the update deltas (as the trainers of a distributed run)
  --config FILE   a JSON run config; flags override its fields
  (simulation mode only: --mode federated, --sites and --input-shape belong to \`fedssd submit\`)

Simulation:
  --test-limit N     evaluate on the first N test images (default: all)
  --probe-epochs N   linear-probe epochs in the final evaluation (default 100; 0 skips it)
  --out FILE         report path (default reports/simulate-<method>-seed<seed>.json; a .svg chart is written beside it)
  --backend auto|wasm|cpu|tensorflow (default auto)
  --quiet            no progress bar
  --save-model FILE  write the final global model's weights as JSON (name, shape, values per tensor)
  --checkpoint DIR   save the run after every round into DIR (a run can then be continued)
  --resume           continue the run saved in --checkpoint DIR (same flags as the first sitting);
                     the result is bit-identical to an uninterrupted run
`;

/** Parses `fedssd simulate` flags into a validated run config; every problem named by its flag. */
export function parseSimulateArgs(argv: string[]): SimulateOptions {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    config: { type: 'string' },
    out: { type: 'string' },
    'test-limit': { type: 'string' },
    'probe-epochs': { type: 'string' },
    backend: { type: 'string' },
    quiet: { type: 'boolean' },
    checkpoint: { type: 'string' },
    'save-model': { type: 'string' },
    resume: { type: 'boolean' },
  };
  for (const f of RUN_CONFIG_FLAGS) options[f.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(argv), options, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n\n${SIMULATE_HELP}`);
  }
  const config = buildRunConfig(values, { rounds: 5, localEpochs: 1, batchSize: 64 });
  const testLimit = typeof values['test-limit'] === 'string' ? parseNumber('test-limit', values['test-limit'], true) : undefined;
  if (testLimit !== undefined && testLimit < 1) throw new UserError(`--test-limit: must be >= 1 (got ${testLimit})`);
  const probeEpochs = typeof values['probe-epochs'] === 'string' ? parseNumber('probe-epochs', values['probe-epochs'], true) : 100;
  if (probeEpochs < 0 || probeEpochs > 10_000) throw new UserError(`--probe-epochs: must be between 0 and 10000 (got ${probeEpochs})`);
  const backend = (values.backend ?? 'auto') as string;
  if (!['auto', 'wasm', 'cpu', 'tensorflow'].includes(backend))
    throw new UserError(`--backend: must be one of auto, wasm, cpu, tensorflow (got "${backend}")`);
  const out = typeof values.out === 'string' ? values.out : `reports/simulate-${config.method}-seed${config.seed}.json`;
  const checkpoint = typeof values.checkpoint === 'string' ? values.checkpoint : undefined;
  if (checkpoint === '') throw new UserError('--checkpoint: must name a folder (got "")');
  const resume = values.resume === true;
  const saveModel = typeof values['save-model'] === 'string' ? values['save-model'] : undefined;
  if (saveModel === '') throw new UserError('--save-model: must name a file (got "")');
  if (resume && checkpoint === undefined) throw new UserError('--resume: needs --checkpoint DIR, the folder the run was saved in');
  return {
    config,
    out,
    testLimit,
    probeEpochs,
    backend: backend as SimulateOptions['backend'],
    quiet: values.quiet === true,
    saveModel,
    checkpoint,
    resume,
  };
}
