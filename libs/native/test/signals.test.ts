/**
 * oneDNN's JIT sgemm (up to 2.6.3, Debian's) points rsp at a heap workspace while it runs, so a
 * signal landing on that thread writes its frame into the heap (oneDNN issue #4845). Under
 * `node --cpu-prof` training aborted with "corrupted size vs. prev_size" in 5 of 5 runs of 10
 * steps. The addon now blocks signals on the calling thread for the length of every call into oneDNN
 * and in the OpenMP workers for good (csrc/signal-guard.h). This test runs the native matMul
 * under the profiler's fastest sampling plus a stream of SIGUSR2 and requires a clean exit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addonPath } from '@fedssd/native';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeAvailable } from './native-available.js';

const child = fileURLToPath(new URL('./fixtures/matmul-under-signals.mjs', import.meta.url));
const profDir = mkdtempSync(join(tmpdir(), 'fedssd-sig-'));
afterAll(() => rmSync(profDir, { recursive: true, force: true }));

function runUnderSignals(threads: number): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-interval', '20', '--cpu-prof-dir', profDir, child, addonPath, String(threads), '3'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    let storm: NodeJS.Timeout | undefined;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (storm === undefined && out.includes('ready\n')) storm = setInterval(() => p.kill('SIGUSR2'), 1);
      if (/^ok /m.test(out)) {
        clearInterval(storm);
        setTimeout(() => p.stdin.end(), 100); // let the last signals be handled first
      }
    });
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code, signal) => {
      if (storm !== undefined) clearInterval(storm);
      resolve({ code, signal, out });
    });
  });
}

describe.skipIf(!nativeAvailable)('native kernels under signals', () => {
  for (const threads of [1, 2]) {
    it(`when the profiler and SIGUSR2 interrupt matMul at ${threads} thread(s), then the process exits cleanly`, async () => {
      const r = await runUnderSignals(threads);
      expect(r.signal, r.out).toBeNull();
      expect(r.code, r.out).toBe(0);
      const m = /^ok (\d+) (\d+)$/m.exec(r.out);
      expect(m, r.out).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(1000);
      expect(Number(m![2]), 'SIGUSR2 handled after the kernels (pending, not lost)').toBeGreaterThan(0);
    }, 30_000);
  }
});
