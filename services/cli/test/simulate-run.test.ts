import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helper.js';

describe('fedssd simulate: a small synthetic run', () => {
  it('when it finishes, then it prints a results table and writes a full report and a chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedssd-sim-'));
    const out = join(dir, 'report.json');
    const r = await runCli([
      'simulate',
      '--dataset',
      'synthetic',
      '--clients',
      '3',
      '--alpha',
      '0.5',
      '--rounds',
      '2',
      '--train-limit',
      '150',
      '--test-limit',
      '60',
      '--batch-size',
      '16',
      '--probe-epochs',
      '5',
      '--seed',
      '4',
      '--out',
      out,
    ]);
    expect(r.stderr).toContain('round 2/2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/knn acc/);
    expect(r.stdout).toMatch(/linear-probe accuracy\s+\d\.\d{3}/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.config).toMatchObject({ method: 'ssd', clients: 3, rounds: 2, seed: 4 });
    expect(report.partition.clients).toHaveLength(3);
    expect(report.rounds).toHaveLength(2);
    for (const round of report.rounds) {
      expect(Object.keys(round.loss).sort()).toEqual(['align', 'dsr', 'pd', 'total', 'uniformity']);
      for (const key of ['round', 'durationMs', 'knnAccuracy', 'uniformity', 'effectiveRank', 'interClientUniformity']) {
        expect(Number.isFinite(round[key])).toBe(true);
      }
    }
    for (const key of ['knnAccuracy', 'linearProbeAccuracy', 'uniformity', 'effectiveRank', 'interClientUniformity']) {
      expect(Number.isFinite(report.final[key])).toBe(true);
    }
    expect(report.final.subspaceEnergy.perClient).toHaveLength(3);
    const svg = join(dir, 'report.svg');
    expect(existsSync(svg)).toBe(true);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*kNN accuracy[\s\S]*<\/svg>/);
  });
});

describe('fedssd simulate --save-model', () => {
  it('when given a file, then the final weights are written as a JSON manifest; an empty name is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedssd-sim-'));
    const model = join(dir, 'model.json');
    const flags = ['--dataset', 'synthetic', '--clients', '2', '--rounds', '1', '--train-limit', '64', '--test-limit', '20'];
    const r = await runCli([
      'simulate',
      ...flags,
      ...['--batch-size', '16', '--probe-epochs', '0', '--model', 'small-signed', '--quiet', '--out', join(dir, 'r.json')],
      ...['--save-model', model],
    ]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(model, 'utf8')) as Array<{ name: string; shape: number[]; values: number[] }>;
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(report.config.model).toBe('small-signed');
    const kernel = manifest.find((w) => w.name === 'encoder.block3.conv.kernel');
    expect(kernel?.shape).toEqual([3, 3, 64, 128]);
    expect(kernel?.values).toHaveLength(3 * 3 * 64 * 128);
    expect(manifest.reduce((n, w) => n + w.values.length, 0)).toBe(report.environment.modelParameters);
    const bad = await runCli(['simulate', ...flags, '--save-model', '']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--save-model: must name a file/);
  });
});
