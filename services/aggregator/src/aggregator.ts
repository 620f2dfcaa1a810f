import {
  ACTIVE_ROUND_STATUSES,
  ROUND_OUTCOMES,
  type Message,
  type RoundOutcome,
  type RoundStart,
  type RunStop,
  type UpdateReady,
} from '@fedssd/protocol';
import type { Subscription } from '@fedssd/transport';
import { acceptUpdate, UPDATE_REJECT_REASONS } from './accept-update.js';
import { closeRound } from './close-round.js';
import type { Core } from './core.js';
import { resolveOptions, systemClock, type AggregatorDeps } from './deps.js';
import { createEngineEvaluator } from './evaluator.js';
import { createKeyedLock } from './keyed-lock.js';
import { openRound } from './open-round.js';
import { createRoundTimers } from './round-timers.js';
import { dueOutcome, reachedQuorum } from './round-policy.js';
import { markFailed, markStopped } from './run-end.js';
import { createRunContextCache } from './run-context.js';
import { resumeRun } from './resume-run.js';
import { startRun } from './start-run.js';

export interface Aggregator {
  /** Resumes every running run from Redis, then consumes commands and updates. */
  start(): Promise<void>;
  /** Handles one message as if it arrived on the bus (tests; the subscriptions use it too). */
  handle(message: Message): Promise<void>;
  /** Idempotent: stops intake, clears timers, waits for in-flight work (the state stays in Redis). */
  close(): Promise<void>;
}

/**
 * The round state machine of DESIGN.md over injected ports. The only writer of global models
 * and round records. Work on one run is serialised; state lives in Redis, so another instance
 * started after this one closes (or dies) carries on where it stopped.
 */
export function createAggregator(deps: AggregatorDeps): Aggregator {
  const options = resolveOptions(deps.options);
  const clock = deps.clock ?? systemClock;
  const lock = createKeyedLock();
  const timers = createRoundTimers(clock);
  const subscriptions: Subscription[] = [];
  const closeAttempts = new Map<string, number>();
  let closed = false;
  let closing: Promise<void> | undefined;
  // Every label value at 0 from the start: rate()/increase() and the dashboards see a series
  // before the first rejection or the first round of a given outcome.
  for (const reason of UPDATE_REJECT_REASONS) deps.metrics.updatesRejectedTotal.inc({ reason }, 0);
  for (const outcome of ROUND_OUTCOMES) deps.metrics.roundsTotal.inc({ outcome }, 0);

  const core: Core = {
    bus: deps.bus,
    jobs: deps.jobs,
    runs: deps.runs,
    blobs: deps.blobs,
    log: deps.logger,
    metrics: deps.metrics,
    clock,
    options,
    timers,
    lock,
    evaluate: deps.evaluate ?? createEngineEvaluator({ perClientEvalLimit: options.perClientEvalLimit }),
    contexts: createRunContextCache({ runs: deps.runs, loadData: deps.loadData, evalTestLimit: options.evalTestLimit }),
    isoNow: () => new Date(clock.now()).toISOString(),
    schedule(runId, what, fn) {
      if (closed) return;
      void lock
        .run(runId, async () => {
          if (closed) return;
          await fn();
        })
        .catch((error: unknown) => deps.logger.error({ runId, what, err: error }, 'scheduled step failed'));
    },
    armTimers(record, config) {
      const { runId, round } = record;
      // Both timers ask the same question as an arriving update: is the round due, and why?
      const closeIfDue = (what: string) => () =>
        core.schedule(runId, what, async () => {
          const current = await core.runs.getRound(runId, round);
          const due = current?.status === 'collecting' ? dueOutcome(current, config, clock.now()) : undefined;
          if (due !== undefined) await closeSafely(runId, round, due);
        });
      timers.arm(runId, 'deadline', record.deadline, closeIfDue('deadline'));
      if (record.minClientsReachedAt !== undefined)
        timers.arm(runId, 'grace', record.minClientsReachedAt + config.graceMs, closeIfDue('grace'));
    },
    openRound: (run, round, attempt) => openRound(core, run, round, attempt),
  };

  /** A close (or resume) that fails is retried from the records after `closeRetryMs`, then the run fails. */
  async function guarded(runId: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
      closeAttempts.delete(runId);
    } catch (error) {
      const attempts = (closeAttempts.get(runId) ?? 0) + 1;
      closeAttempts.set(runId, attempts);
      deps.logger.error({ runId, attempts, err: error }, 'round step failed');
      if (attempts >= options.maxCloseAttempts) {
        closeAttempts.delete(runId);
        const run = await core.runs.getRun(runId);
        await markFailed(core, runId, run?.currentRound, `round step failed ${attempts} times: ${(error as Error).message}`);
        return;
      }
      timers.arm(runId, 'retry', clock.now() + options.closeRetryMs, () =>
        core.schedule(runId, 'retry', () => guarded(runId, () => resumeRun(core, runId))),
      );
    }
  }
  const closeSafely = (runId: string, round: number, outcome: RoundOutcome) =>
    guarded(runId, () => closeRound(core, runId, round, outcome));
  const resume = (runId: string) => guarded(runId, () => resumeRun(core, runId));

  async function onRoundStart(msg: RoundStart): Promise<void> {
    const run = await core.runs.getRun(msg.runId);
    const why =
      run === null
        ? 'unknown run'
        : run.status !== 'running'
          ? `run is ${run.status}`
          : msg.round !== run.currentRound + 1
            ? `next round is ${run.currentRound + 1}`
            : ACTIVE_ROUND_STATUSES.includes(run.roundStatus as never)
              ? `round ${run.currentRound} is ${run.roundStatus}`
              : msg.round > run.config.rounds
                ? `the run has ${run.config.rounds} rounds`
                : undefined;
    if (why !== undefined || run === null) {
      deps.logger.info({ runId: msg.runId, round: msg.round, why }, 'round.start ignored');
      return;
    }
    await openRound(core, run, msg.round);
  }

  async function onRunStop(msg: RunStop): Promise<void> {
    const run = await core.runs.getRun(msg.runId);
    if (run === null || run.status === 'finished' || run.status === 'stopped' || run.status === 'failed') return;
    if (run.status !== 'stopping') await core.runs.updateRun(msg.runId, (r) => ({ ...r, status: 'stopping', updatedAt: core.isoNow() }));
    if (run.status === 'created') return markStopped(core, msg.runId);
    await resume(msg.runId);
  }

  async function onUpdate(msg: UpdateReady): Promise<void> {
    const record = await acceptUpdate(core, msg);
    if (record === null) return;
    const run = await core.runs.getRun(msg.runId);
    if (run === null) return;
    if (reachedQuorum(record, run.config)) {
      const marked = await core.runs.updateRound(msg.runId, msg.round, (r) =>
        r.minClientsReachedAt === undefined ? { ...r, minClientsReachedAt: clock.now() } : undefined,
      );
      if (marked) core.armTimers(marked, run.config);
    }
    const due = dueOutcome(record, run.config, clock.now());
    if (due !== undefined) await closeSafely(msg.runId, msg.round, due);
  }

  const handle = (message: Message): Promise<void> =>
    lock.run(message.runId, async () => {
      switch (message.type) {
        case 'run.start':
          return startRun(core, message, resume);
        case 'round.start':
          return onRoundStart(message);
        case 'run.stop':
          return onRunStop(message);
        case 'update.ready':
          return onUpdate(message);
        default:
          deps.logger.warn({ type: message.type }, 'unexpected message type');
      }
    });

  return {
    handle,
    async start() {
      for (const run of await core.runs.listRuns()) {
        if (run.status === 'running' || run.status === 'stopping') {
          deps.logger.info({ runId: run.runId, round: run.currentRound, roundStatus: run.roundStatus }, 'resuming run');
          await lock.run(run.runId, () => resume(run.runId));
        }
      }
      subscriptions.push(await deps.bus.subscribe('control', (m) => handle(m)));
      subscriptions.push(await deps.bus.subscribe('updates', (m) => handle(m)));
    },
    close: () =>
      (closing ??= (async () => {
        closed = true;
        for (const sub of subscriptions.splice(0)) {
          try {
            await sub.cancel();
          } catch (error) {
            deps.logger.warn({ err: error }, 'cancel failed');
          }
        }
        timers.clearAll();
        await lock.idle();
      })()),
  };
}
