/** Runs one benchmark child process and parses its `RESULT key=value ...` lines. */
import { execFile } from 'node:child_process';

/** One RESULT line as a key/value record. */
export type ResultLine = Record<string, string>;

/** Parses every `RESULT a=b c=d` line of a process's output. */
export function parseResults(stdout: string): ResultLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('RESULT '))
    .map((line) =>
      Object.fromEntries(
        line
          .slice(7)
          .trim()
          .split(/\s+/)
          .map((kv) => kv.split('=', 2) as [string, string]),
      ),
    );
}

/**
 * Runs `command args` to completion and returns its RESULT lines.
 * @param timeoutMs default 20 minutes: a ResNet round on a loaded 2-core machine is slow.
 */
export function runForResults(command: string, args: string[], timeoutMs = 20 * 60_000): Promise<ResultLine[]> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 2 ** 20, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve(parseResults(stdout));
    });
  });
}

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
