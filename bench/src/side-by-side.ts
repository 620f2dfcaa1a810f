/** Runs a TF.js process and its PyTorch reference alternately and summarises them by medians. */
import { median, runForResults, type ResultLine } from './run-process.js';

export interface SideBySide {
  /** Label of the comparison, e.g. `model=small` or `mode=extract model=small`. */
  label: string;
  tfjs: { command: string; args: string[] };
  torch: { command: string; args: string[] };
  rounds: number;
}

function first(lines: ResultLine[], key: string, who: string): number {
  const value = Number(lines[0]?.[key]);
  if (!Number.isFinite(value)) throw new Error(`${who} printed no RESULT ${key}`);
  return value;
}

/**
 * `rounds` rounds, each one TF.js run and one PyTorch run, the order alternating so a drifting
 * machine does not favour one side. Prints one line per round and returns the summary
 * `RESULT <label> backend=<kind or mixed(a+b)> tfjs_sps=<median> torch_sps=<median> ratio=<x/y> tfjs_rss_mb=<max> torch_rss_mb=<max>`.
 */
export async function runSideBySide(spec: SideBySide): Promise<string> {
  const tfjs = () => runForResults(spec.tfjs.command, spec.tfjs.args);
  const torch = () => runForResults(spec.torch.command, spec.torch.args);
  const tf: number[] = [];
  const pt: number[] = [];
  let tfRss = 0;
  let ptRss = 0;
  const backends = new Set<string>();
  for (let r = 0; r < spec.rounds; r += 1) {
    const tfFirst = r % 2 === 0;
    const a = await (tfFirst ? tfjs() : torch());
    const b = await (tfFirst ? torch() : tfjs());
    const [tfLines, ptLines] = tfFirst ? [a, b] : [b, a];
    tf.push(first(tfLines, 'tfjs_sps', 'tfjs'));
    pt.push(first(ptLines, 'torch_sps', 'torch'));
    tfRss = Math.max(tfRss, first(tfLines, 'tfjs_rss_mb', 'tfjs'));
    ptRss = Math.max(ptRss, first(ptLines, 'torch_rss_mb', 'torch'));
    const backend = tfLines[0]?.['backend'] ?? '?';
    backends.add(backend);
    console.log(
      `round ${r + 1}/${spec.rounds} ${spec.label} backend=${backend} tfjs_sps=${tf[r]} torch_sps=${pt[r]} ratio=${((tf[r] as number) / (pt[r] as number)).toFixed(3)}`,
    );
  }
  // A round that fell back to another backend (e.g. the addon was being rebuilt) is not comparable.
  const backend = backends.size === 1 ? [...backends].join('') : `mixed(${[...backends].join('+')})`;
  const tfMed = median(tf);
  const ptMed = median(pt);
  return (
    `RESULT ${spec.label} backend=${backend} tfjs_sps=${tfMed.toFixed(2)} torch_sps=${ptMed.toFixed(2)} ` +
    `ratio=${(tfMed / ptMed).toFixed(3)} tfjs_rss_mb=${tfRss} torch_rss_mb=${ptRss}`
  );
}
