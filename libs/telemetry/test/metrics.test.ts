import { describe, expect, it } from 'vitest';
import { createMetrics, lintMetricNames, lintRegistry, Registry } from '../src/index.js';

const EXPECTED = [
  'fedssd_rounds_total',
  'fedssd_round_duration_seconds',
  'fedssd_jobs_total',
  'fedssd_updates_rejected_total',
  'fedssd_update_bytes',
  'fedssd_local_training_seconds',
  'fedssd_training_samples_per_second',
  'fedssd_queue_depth',
  'fedssd_knn_accuracy',
  'fedssd_uniformity',
  'fedssd_effective_rank',
  'fedssd_inter_client_uniformity',
  'fedssd_backend_info',
  'fedssd_http_requests_total',
];

describe('createMetrics', () => {
  it('when created twice, then each call has its own registry (no global singleton, no duplicate-name error)', async () => {
    const a = createMetrics({ service: 'api' });
    const b = createMetrics({ service: 'trainer' });
    a.roundsTotal.inc({ outcome: 'all-reported' });
    expect(a.registry).not.toBe(b.registry);
    expect(await b.registry.metrics()).not.toContain('fedssd_rounds_total{outcome="all-reported"');
  });

  it('then every metric of the system is registered, with the service label and default process metrics', async () => {
    const m = createMetrics({ service: 'aggregator' });
    m.roundsTotal.inc({ outcome: 'deadline' });
    m.updatesRejectedTotal.inc({ reason: 'non-finite' }, 2);
    m.roundDurationSeconds.observe(12.5);
    m.queueDepth.set({ queue: 'jobs' }, 4);
    m.setBackend('wasm');
    const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name);
    for (const name of EXPECTED) expect(names).toContain(name);
    expect(names).toContain('process_cpu_user_seconds_total');
    const text = await m.registry.metrics();
    expect(text).toContain('fedssd_rounds_total{outcome="deadline",service="aggregator"} 1');
    expect(text).toContain('fedssd_updates_rejected_total{reason="non-finite",service="aggregator"} 2');
    expect(text).toContain('fedssd_round_duration_seconds_bucket{le="30",service="aggregator"} 1');
    expect(text).toContain('fedssd_backend_info{backend="wasm",service="aggregator"} 1');
  });

  it('when a registry is passed directly, then metrics go on it', async () => {
    const registry = new Registry();
    const m = createMetrics(registry);
    expect(m.registry).toBe(registry);
    expect(await registry.getSingleMetricAsString('fedssd_jobs_total')).toContain('# TYPE fedssd_jobs_total counter');
  });

  it('when a run evaluation has a null metric, then that series is dropped instead of exported as 0', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setRunEvaluation(
      { runId: 'r1', method: 'ssd' },
      { knnAccuracy: 0.42, uniformity: -3.1, effectiveRank: null, interClientUniformity: -2 },
    );
    let text = await m.registry.metrics();
    expect(text).toContain('fedssd_knn_accuracy{run_id="r1",method="ssd"} 0.42');
    expect(text).not.toContain('fedssd_effective_rank{run_id="r1"');
    m.forgetRun({ runId: 'r1', method: 'ssd' });
    text = await m.registry.metrics();
    expect(text).not.toContain('run_id="r1"');
  });

  it('when the backend changes, then only the new backend series is 1', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setBackend('cpu');
    m.setBackend('wasm');
    const text = await m.registry.metrics();
    expect(text).not.toContain('backend="cpu"');
    expect(text).toContain('fedssd_backend_info{backend="wasm"} 1');
  });
});

describe('metric names', () => {
  it('then our metrics lint clean', async () => {
    expect(await lintRegistry(createMetrics({ service: 'api' }).registry)).toEqual([]);
  });

  it('when names break the conventions, then the lint names each problem', () => {
    expect(
      lintMetricNames([
        { name: 'fedssd_rounds', type: 'counter' },
        { name: 'fedssd_depth_total', type: 'gauge' },
        { name: 'fedssd_round_duration', type: 'histogram' },
        { name: 'fedssd_train_ms', type: 'gauge' },
        { name: 'FedSSD-x', type: 'gauge' },
      ]),
    ).toEqual([
      'fedssd_rounds: a counter must end in _total',
      'fedssd_depth_total: only counters end in _total',
      'fedssd_round_duration: a histogram must end in a base unit (_seconds, _bytes, _ratio, _samples)',
      'fedssd_train_ms: use base units (seconds, bytes)',
      'FedSSD-x: must match ^fedssd_[a-z0-9_]+$',
    ]);
  });
});
