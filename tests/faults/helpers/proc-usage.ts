import { readFile } from 'node:fs/promises';
import { rssMiB } from './rss.js';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** User + system CPU seconds process `pid` has used so far, or NaN once it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/** CPU share (1 = one core) and peak RSS of some processes over a window, sampled every `everyMs`. */
export interface Usage {
  /** Per pid: CPU seconds used in the window / window seconds (up to its exit, if it exited). */
  readonly cpu: Record<number, number>;
  /** Per pid: highest RSS sampled, MiB. */
  readonly peakRssMiB: Record<number, number>;
  readonly seconds: number;
}

/** Starts sampling `pids`; `stop()` returns the usage since the start. */
export function sampleUsage(pids: readonly number[], everyMs = 500): { stop(): Promise<Usage> } {
  const started = Date.now();
  const first = new Map<number, number>();
  const last = new Map<number, { cpu: number; at: number }>();
  const peak = new Map<number, number>();
  const sample = async () => {
    for (const pid of pids) {
      const [cpu, rss] = await Promise.all([cpuSeconds(pid), rssMiB(pid)]);
      if (Number.isNaN(cpu)) continue; // exited: keep its last sample
      if (!first.has(pid)) first.set(pid, cpu);
      last.set(pid, { cpu, at: Date.now() });
      peak.set(pid, Math.max(peak.get(pid) ?? 0, rss));
    }
  };
  const first0 = sample();
  const timer = setInterval(() => void sample(), everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await first0;
      await sample();
      const cpu: Record<number, number> = {};
      const peakRssMiB: Record<number, number> = {};
      for (const pid of pids) {
        const l = last.get(pid);
        if (l === undefined) continue;
        cpu[pid] = (l.cpu - first.get(pid)!) / Math.max(0.001, (l.at - started) / 1000);
        peakRssMiB[pid] = peak.get(pid)!;
      }
      return { cpu, peakRssMiB, seconds: (Date.now() - started) / 1000 };
    },
  };
}
