import type { EvalMetrics } from '@fedssd/protocol';
import { createSiteMetrics } from './site-metrics.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';

/** Every metric name starts with this. */
export const METRIC_PREFIX = 'fedssd_';

export interface MetricsOptions {
  /** Value of the `service` label added to every series (e.g. 'api', 'aggregator', 'trainer'). */
  service?: string;
  /** Registry to register on; default a new one (no global singleton). */
  registry?: Registry;
  /** Also collect Node's default process metrics (CPU, memory, event loop); default true. */
  defaultMetrics?: boolean;
}

/** Which run a per-run series belongs to: its id and its method (baseline, dsr, pd, ssd). */
export interface RunLabels {
  runId: string;
  method: string;
}

/** Per-run evaluation gauges, set by {@link Metrics.setRunEvaluation}: the gauged part of the one EvalMetrics type. */
export type RunEvaluation = Pick<EvalMetrics, 'knnAccuracy' | 'uniformity' | 'effectiveRank' | 'interClientUniformity'>;

/**
 * All metrics of the system, on one registry. Each service uses the ones it owns; the others
 * stay at zero samples. Durations are seconds, sizes bytes (Prometheus base units).
 */
export function createMetrics(options: MetricsOptions | Registry = {}) {
  const opts: MetricsOptions = options instanceof Registry ? { registry: options } : options;
  const registry = opts.registry ?? new Registry();
  if (opts.service !== undefined) registry.setDefaultLabels({ service: opts.service });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const roundsTotal = new Counter({
    name: 'fedssd_rounds_total',
    help: 'Rounds closed, by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const roundDurationSeconds = new Histogram({
    name: 'fedssd_round_duration_seconds',
    help: 'Wall-clock seconds from round open to round close.',
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers,
  });
  const jobsTotal = new Counter({
    name: 'fedssd_jobs_total',
    help: 'Training jobs handled by trainers, by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const updatesRejectedTotal = new Counter({
    name: 'fedssd_updates_rejected_total',
    help: 'Client updates rejected before aggregation, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const updateBytes = new Histogram({
    name: 'fedssd_update_bytes',
    help: 'Size of encoded client updates in bytes.',
    buckets: exponentialBuckets(1024, 4, 11), // 1 KiB .. 1 GiB
    registers,
  });
  const localTrainingSeconds = new Histogram({
    name: 'fedssd_local_training_seconds',
    help: 'Wall-clock seconds of local training per job.',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });
  const trainingSamplesPerSecond = new Gauge({
    name: 'fedssd_training_samples_per_second',
    help: 'Training throughput of the last job (samples per second).',
    registers,
  });
  const queueDepth = new Gauge({
    name: 'fedssd_queue_depth',
    help: 'Messages waiting in a queue.',
    labelNames: ['queue'] as const,
    registers,
  });
  const knnAccuracy = new Gauge({
    name: 'fedssd_knn_accuracy',
    help: 'kNN accuracy of the latest evaluated global model (ratio 0-1).',
    labelNames: ['run_id', 'method'] as const,
    registers,
  });
  const uniformity = new Gauge({
    name: 'fedssd_uniformity',
    help: 'Uniformity loss of the latest evaluated global model.',
    labelNames: ['run_id', 'method'] as const,
    registers,
  });
  const effectiveRank = new Gauge({
    name: 'fedssd_effective_rank',
    help: 'Effective rank of the latest evaluated global representations.',
    labelNames: ['run_id', 'method'] as const,
    registers,
  });
  const interClientUniformity = new Gauge({
    name: 'fedssd_inter_client_uniformity',
    help: 'Inter-client uniformity of the latest evaluated global model.',
    labelNames: ['run_id', 'method'] as const,
    registers,
  });
  const backendInfo = new Gauge({
    name: 'fedssd_backend_info',
    help: 'TensorFlow.js backend in use (value is always 1).',
    labelNames: ['backend'] as const,
    registers,
  });
  const httpRequestsTotal = new Counter({
    name: 'fedssd_http_requests_total',
    help: 'HTTP requests served, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });

  const jobFailuresTotal = new Counter({
    name: 'fedssd_job_failures_total',
    help: 'Training jobs the broker dead-lettered (the client counts as failed for its round), by the broker reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const runOwnershipTotal = new Counter({
    name: 'fedssd_run_ownership_total',
    help: 'Run ownership changes of an aggregator replica: acquired, released, lost (another replica took the run), refused (a write with a stale fencing token, or a rolled-back Redis state), forwarded (a message handed to the owner), parked (an input kept in the run inbox while its state is rolled back).',
    labelNames: ['event'] as const,
    registers,
  });

  const perRun = [knnAccuracy, uniformity, effectiveRank, interClientUniformity];
  const sites = createSiteMetrics(registers);

  return {
    registry,
    roundsTotal,
    roundDurationSeconds,
    jobsTotal,
    updatesRejectedTotal,
    updateBytes,
    localTrainingSeconds,
    trainingSamplesPerSecond,
    queueDepth,
    knnAccuracy,
    uniformity,
    effectiveRank,
    interClientUniformity,
    backendInfo,
    httpRequestsTotal,
    /** Per-site series of federated mode. */
    sites,
    jobFailuresTotal,
    runOwnershipTotal,
    /**
     * Sets the four per-run gauges (labels `run_id`, `method`, so dashboards can compare methods
     * directly); a null metric removes that run's series rather than exporting a fake 0.
     */
    setRunEvaluation(run: RunLabels, evaluation: RunEvaluation): void {
      const labels = { run_id: run.runId, method: run.method };
      const values = [evaluation.knnAccuracy, evaluation.uniformity, evaluation.effectiveRank, evaluation.interClientUniformity];
      perRun.forEach((gauge, i) => {
        const value = values[i];
        if (value === null || value === undefined || !Number.isFinite(value)) gauge.remove(labels);
        else gauge.set(labels, value);
      });
    },
    /** Drops a run's series so label cardinality does not grow without bound. */
    forgetRun(run: RunLabels): void {
      for (const gauge of perRun) gauge.remove({ run_id: run.runId, method: run.method });
    },
    /** Marks the backend in use: exactly one `backend` series is 1. */
    setBackend(backend: string): void {
      backendInfo.reset();
      backendInfo.set({ backend }, 1);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
