/**
 * The research study's run matrix (issue 14, item 4) at each scale. Full scale is the default and
 * the point of the study; `pilot` is a clearly labelled smaller scale that fits a short sitting.
 */

export interface Scale {
  readonly name: 'full' | 'pilot';
  readonly trainImages: number;
  readonly rounds: number;
}

export const SCALES: Record<Scale['name'], Scale> = {
  full: { name: 'full', trainImages: 20_000, rounds: 30 },
  pilot: { name: 'pilot', trainImages: 3_000, rounds: 8 },
};

export interface StudyRun {
  /** Folder name and table label, e.g. `ssd-a0.1-seed2`. */
  readonly id: string;
  readonly method: 'baseline' | 'dsr' | 'pd' | 'ssd';
  readonly seed: number;
  readonly alpha: number;
  readonly dsrForm: 'code' | 'paper';
  /** Where DSR acts; 'h' is the projector-free diagnostic (`--dsr-on h`). */
  readonly dsrOn?: 'z' | 'h';
  /** Why the run cannot be done yet (the study lists it as pending instead of faking it). */
  readonly unsupported?: string;
}

function run(method: StudyRun['method'], seed: number, alpha = 0.1, dsrForm: StudyRun['dsrForm'] = 'code', unsupported?: string): StudyRun {
  const form = dsrForm === 'paper' ? '-paper' : '';
  return { id: `${method}${form}-a${alpha}-seed${seed}`, method, seed, alpha, dsrForm, ...(unsupported ? { unsupported } : {}) };
}

/** In the order they are run: the paired baseline/ssd seeds first, then the single-seed runs. */
export const MATRIX: readonly StudyRun[] = [
  run('baseline', 1),
  run('ssd', 1),
  run('baseline', 2),
  run('ssd', 2),
  run('baseline', 3),
  run('ssd', 3),
  run('dsr', 1),
  run('pd', 1),
  run('ssd', 1, 0.1, 'paper'),
  run('baseline', 1, 0.5),
  run('ssd', 1, 0.5),
  run('baseline', 1, 100),
  run('ssd', 1, 100),
  {
    id: 'dsr-noprojector-a0.1-seed1',
    method: 'dsr',
    seed: 1,
    alpha: 0.1,
    dsrForm: 'code',
    dsrOn: 'h',
  },
];

/** `fedssd simulate` flags of one run at one scale (the study's fixed settings spelled out). */
export function simulateFlags(r: StudyRun, scale: Scale, model: string): string[] {
  return [
    ...['--dataset', 'fashion-mnist', '--model', model, '--clients', '10', '--alpha', String(r.alpha)],
    ...['--train-limit', String(scale.trainImages), '--test-limit', '2000', '--rounds', String(scale.rounds), '--local-epochs', '1'],
    ...['--batch-size', '64', '--lr', '0.1', '--eval-every', '1', '--probe-epochs', '50'],
    ...['--method', r.method, '--seed', String(r.seed), '--dsr-form', r.dsrForm],
    ...(r.dsrOn === 'h' ? ['--dsr-on', 'h'] : []),
  ];
}
