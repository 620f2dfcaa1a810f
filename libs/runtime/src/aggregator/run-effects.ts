import { trainingFor, type RoundEffect, type RoundEvent } from '@fedssd/engine';
import { MESSAGE_VERSION, modelKey, siteTargetKey, targetsKey, updateKey, type RunRecord } from '@fedssd/protocol';
import type { Logger, Metrics } from '@fedssd/telemetry';
import type { BlobStore, EventBus, Fence, JobQueue, RunRepository } from '@fedssd/transport';
import { aggregateRound } from './aggregate-round.js';
import type { Clock, Evaluator, ResolvedOptions, SiteJobPublisher } from './deps.js';
import type { RunContextCache } from './run-context.js';
import type { RoundFolds } from './round-fold.js';
import type { RoundTimers } from './round-timers.js';

/** What the effects need: the ports, and how to feed a follow-up event back into the machine. */
export interface EffectDeps {
  readonly bus: EventBus;
  readonly jobs: JobQueue;
  readonly runs: RunRepository;
  readonly blobs: BlobStore;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly options: ResolvedOptions;
  readonly contexts: RunContextCache;
  readonly timers: RoundTimers;
  /** Each round's exact fold, fed as updates are accepted. */
  readonly folds: RoundFolds;
  readonly evaluate: Evaluator;
  /** Federated mode: publishes a job to one site's own queue. */
  readonly siteJobs?: SiteJobPublisher;
  /** Applies a follow-up event (an effect's result) to the run, under the run's lock already held. */
  apply(runId: string, event: RoundEvent): Promise<void>;
  /** Queues `event` for the run from a timer (takes the lock itself). */
  later(runId: string, event: RoundEvent): void;
  /** This replica's fencing token for the run's writes (undefined with a single aggregator). */
  fence(runId: string): Fence | undefined;
  /** The run reached a final status: let other replicas stop looking at it. */
  ended(runId: string): Promise<void>;
}

/**
 * Carries out one effect of a committed transition over the real ports. Every effect is safe to
 * redo: jobs are deduplicated by the NX update key and the duplicate check, a fold writes the
 * same bytes, events are notifications.
 */
export async function runEffect(d: EffectDeps, run: RunRecord, effect: RoundEffect): Promise<void> {
  const { runId, config } = run;
  switch (effect.type) {
    case 'publish-jobs': {
      const context = await d.contexts.get(run);
      for (const clientId of effect.clients) {
        const job = {
          type: 'train.job',
          version: MESSAGE_VERSION,
          runId,
          sentAt: d.clock.now(),
          round: effect.round,
          clientId,
          globalVersion: effect.baseVersion,
          modelKey: modelKey(runId, effect.baseVersion),
          deadline: effect.deadline,
          attempt: effect.attempt,
        } as const;
        const site = context.federated?.sites[clientId];
        if (site === undefined) {
          await d.jobs.publishJob({ ...job, target: context.targets !== undefined ? { targetsKey: targetsKey(runId), clientId } : null });
          continue;
        }
        if (d.siteJobs === undefined) throw new Error(`run ${runId} is federated but this aggregator has no site job publisher`);
        // A site reads only its own target blob (one slice: index 0) and trains from the job alone.
        await d.siteJobs.publishSiteJob(site, {
          ...job,
          target: context.targets !== undefined ? { targetsKey: siteTargetKey(runId, site), clientId: 0 } : null,
          training: trainingFor(config, context.spec, effect.round, clientId, config.siteOverrides?.[site]),
        });
      }
      d.log.info(
        { runId, round: effect.round, selected: effect.clients, baseVersion: effect.baseVersion, attempt: effect.attempt },
        'jobs published',
      );
      return d.apply(runId, { type: 'jobs-published', round: effect.round });
    }
    case 'arm-timer':
      d.timers.arm(runId, 'round', effect.at, () => d.later(runId, { type: 'timer', round: effect.round }));
      return;
    case 'clear-timers':
      d.timers.clear(runId, 'round');
      return;
    case 'aggregate': {
      const context = await d.contexts.get(run);
      const result = await aggregateRound(d, context, effect, d.fence(runId));
      for (const x of result.excluded) {
        d.metrics.updatesRejectedTotal.inc({ reason: x.reason });
        d.log.error({ runId, round: effect.round, clientId: x.clientId, reason: x.reason }, x.message ?? 'update left out of the fold');
      }
      return d.apply(runId, { type: 'aggregated', round: effect.round, version: result.version, excluded: result.excluded });
    }
    case 'evaluate': {
      const context = await d.contexts.get(run);
      const started = performance.now();
      const metrics = await d.evaluate(await context.global(effect.version), context, { round: effect.round, final: effect.final });
      const evalSeconds = (performance.now() - started) / 1000;
      d.log.info({ runId, round: effect.round, version: effect.version, evalSeconds, knnAccuracy: metrics.knnAccuracy }, 'round evaluated');
      return d.apply(runId, { type: 'evaluated', round: effect.round, metrics, evalSeconds });
    }
    case 'emit': {
      const m = effect.message;
      if (m.type === 'round.closed') {
        d.metrics.roundsTotal.inc({ outcome: m.outcome });
        d.metrics.roundDurationSeconds.observe(m.durationMs / 1000);
        d.log.info({ runId, round: m.round, outcome: m.outcome, globalVersion: m.globalVersion, durationMs: m.durationMs }, 'round closed');
      } else if (m.type === 'round.evaluated') {
        d.metrics.setRunEvaluation({ runId, method: config.method }, m.metrics);
      } else if (m.type === 'run.failed') {
        if (m.round !== undefined) d.metrics.roundsTotal.inc({ outcome: 'failed' });
        d.log.error({ runId, round: m.round, reason: m.reason }, 'run failed');
      } else if (m.type === 'run.finished') {
        d.log.info(
          { runId, rounds: m.roundsCompleted, globalVersion: m.globalVersion, stopped: m.stopped },
          m.stopped ? 'run stopped' : 'run finished',
        );
      }
      // The log first: a client that resumes (Last-Event-ID) reads it, and the live message only
      // wakes the api up to read it, so an event on the bus is always already in the log.
      await d.runs.appendEvent(m, d.fence(runId));
      return d.bus.publish(m);
    }
    case 'release-updates':
      // Folded into the new version: kept a while for inspection, then Redis drops them.
      // (Blobs already covered by a fold checkpoint were deleted when it was written.)
      for (const clientId of effect.clients) await d.blobs.expire(updateKey(runId, effect.round, clientId), d.options.updateTtlSeconds);
      await d.folds.release(runId, effect.round);
      return;
    case 'run-ended':
      // A stopped or failed round never reaches release-updates: drop its fold checkpoint here.
      if (run.currentRound > 0) await d.folds.release(runId, run.currentRound);
      d.folds.forget(runId);
      d.contexts.forget(runId);
      d.timers.clear(runId);
      await d.ended(runId);
      // Per-run gauges stay until Prometheus has scraped the final values, then go.
      d.timers.arm(runId, 'forget', d.clock.now() + d.options.forgetRunAfterMs, () =>
        d.metrics.forgetRun({ runId, method: config.method }),
      );
      return;
  }
}
