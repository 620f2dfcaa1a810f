import { admitUpdate, transition, type RoundEvent, type RunState } from '@fedssd/engine';
import {
  newRunRecord,
  ROUND_OUTCOMES,
  type Message,
  type RunRecord,
  type RunStart,
  type SiteMessage,
  type UpdateReady,
} from '@fedssd/protocol';
import {
  createSiteDirectory,
  FencedWriteError,
  StateRolledBackError,
  type JobFailure,
  type SiteDelivery,
  type Subscription,
} from '@fedssd/transport';
import { checkUpdateContent, UPDATE_REJECT_REASONS, type SampleRule, type UpdateRejectReason } from './check-update.js';
import { resolveOptions, systemClock, type AggregatorDeps } from './deps.js';
import { createEngineEvaluator } from './evaluator.js';
import { createKeyedLock } from './keyed-lock.js';
import { leasedOwnership, soleOwnership } from './ownership.js';
import { prepareRunStorage } from './prepare-run.js';
import { createRoundFolds } from './round-fold.js';
import { createRoundTimers } from './round-timers.js';
import { runEffect, type EffectDeps } from './run-effects.js';
import { createRunContextCache } from './run-context.js';
import { resolveSites } from './resolve-sites.js';
import type { RunInput } from './run-input.js';
import { createRunRouter } from './run-router.js';

export interface Aggregator {
  /** Resumes every running run from the store, then consumes commands and updates. */
  start(): Promise<void>;
  /** Handles one message as if it arrived on the bus (tests and the simulator; the subscriptions use it too). */
  handle(message: Message): Promise<void>;
  /** Handles a job the broker dead-lettered, as if it came from the failure feed. */
  handleFailure(failure: JobFailure): Promise<void>;
  /** Idempotent: stops intake, clears timers, waits for in-flight work (the state stays in the store). */
  close(): Promise<void>;
}

/** Commit attempts per event before giving up (another writer — the api — changed the run meanwhile). */
const MAX_COMMIT_ATTEMPTS = 8;

/**
 * The driver of the round machine (`transition` in @fedssd/engine) over injected ports: for each
 * message or timer it loads the run, computes the transition, commits it atomically (one guarded
 * write of run record, round records and metrics row) and then carries out its effects, whose
 * results come back as events. The only writer of global models and round records. Work on one
 * run is serialised; all state lives in the store, so another instance started after this one
 * closes (or dies) carries on where it stopped. With `replicas`, several instances run at once:
 * each run is driven by the replica holding its lease (see run-router.ts), and every write
 * carries that lease's fencing token.
 */
export function createAggregator(deps: AggregatorDeps): Aggregator {
  const options = resolveOptions(deps.options);
  const clock = deps.clock ?? systemClock;
  const lock = createKeyedLock();
  const timers = createRoundTimers(clock);
  const folds = createRoundFolds({ blobs: deps.blobs, checkpointEvery: options.foldCheckpointEvery });
  const contexts = createRunContextCache({ runs: deps.runs, loadData: deps.loadData, evalTestLimit: options.evalTestLimit });
  const log = deps.logger;
  const federation = deps.federation;
  const sites = federation ? createSiteDirectory(federation.state) : undefined;
  const livenessMs = federation?.livenessMs ?? 30_000;
  const subscriptions: Subscription[] = [];
  const stepAttempts = new Map<string, number>();
  const replicas = deps.replicas;
  const ownership = replicas
    ? leasedOwnership({
        store: replicas.store,
        keeper: replicas.keeper,
        replicaId: replicas.replicaId,
        leaseMs: replicas.leaseMs ?? 5_000,
        log,
        metrics: deps.metrics,
        onLost: (runId) => {
          // Whatever this replica still had in flight for the run ends in a refused write.
          timers.clear(runId);
          folds.forget(runId);
          contexts.forget(runId);
          stepAttempts.delete(runId);
        },
      })
    : soleOwnership();
  let closed = false;
  let closing: Promise<void> | undefined;
  // Every label value at 0 from the start: rate()/increase() and the dashboards see a series
  // before the first rejection or the first round of a given outcome.
  for (const reason of UPDATE_REJECT_REASONS) deps.metrics.updatesRejectedTotal.inc({ reason }, 0);
  for (const outcome of ROUND_OUTCOMES) deps.metrics.roundsTotal.inc({ outcome }, 0);
  for (const reason of ['delivery_limit', 'rejected']) deps.metrics.jobFailuresTotal.inc({ reason }, 0);
  for (const event of ['acquired', 'released', 'lost', 'refused', 'forwarded']) deps.metrics.runOwnershipTotal.inc({ event }, 0);

  async function load(runId: string): Promise<RunState | null> {
    const run = await deps.runs.getRun(runId);
    if (run === null) return null;
    const round = run.currentRound > 0 ? await deps.runs.getRound(runId, run.currentRound) : null;
    return { run, round };
  }

  /** Federated runs sample their rounds among the live sites (by client id); simulation runs among all clients. */
  async function livePopulation(run: RunRecord, now: number): Promise<number[] | undefined> {
    if (run.config.mode !== 'federated' || sites === undefined || run.sites === undefined) return undefined;
    const live: number[] = [];
    for (const [clientId, site] of run.sites.entries()) {
      // A corrupt liveness record counts as not heard from.
      const seen = await sites.getLiveness(site).catch(() => null);
      if (seen !== null && now - seen.lastHeartbeatAt <= livenessMs) live.push(clientId);
    }
    return live;
  }

  /** One event: transition, atomic commit (recomputed from fresh state if another writer won), then its effects. */
  async function apply(runId: string, event: RoundEvent): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt += 1) {
      const state = await load(runId);
      if (state === null) return;
      const now = clock.now();
      const population = await livePopulation(state.run, now);
      const step = transition(state, event, now, {
        maxRecordedRejections: options.maxRecordedRejections,
        ...(population !== undefined ? { population } : {}),
      });
      if (step.ignored !== undefined) log.debug({ runId, event: event.type, why: step.ignored }, 'event changed nothing');
      if (step.writes !== null && (await deps.runs.commit(state.run.seq ?? 0, step.writes, ownership.fence(runId))) === null) continue;
      for (const effect of step.effects) await runEffect(effectDeps, step.state.run, effect);
      return;
    }
    throw new Error(`run ${runId}: ${event.type} lost ${MAX_COMMIT_ATTEMPTS} commit races in a row`);
  }

  /**
   * Applies an event; a failure (e.g. Redis unavailable mid-aggregation) is retried from the
   * persisted state after `closeRetryMs`, and after `maxCloseAttempts` the run fails.
   */
  async function guarded(runId: string, event: RoundEvent): Promise<void> {
    try {
      await apply(runId, event);
      stepAttempts.delete(runId);
    } catch (error) {
      // Another replica owns the run now: nothing to retry or fail here (the router forwards the input).
      if (error instanceof FencedWriteError) {
        ownership.lost(runId, error);
        throw error;
      }
      if (error instanceof StateRolledBackError) {
        // Redis lost writes this process made (failover to a lagging replica). Acting on the older
        // state would redo rounds and re-emit events that clients already saw: refuse, say so
        // loudly, and read again later (an operator restores or fails the run; see RELIABILITY.md).
        deps.metrics.runOwnershipTotal.inc({ event: 'refused' });
        log.error({ runId, event: event.type, err: error }, 'refusing a rolled-back Redis state');
        timers.arm(runId, 'retry', clock.now() + options.closeRetryMs, () => later(runId, { type: 'restart' }));
        // Not swallowed: an input (an update, a round start) must be kept and applied once the state
        // is restored, so its caller parks it (run-router.ts) instead of treating it as done.
        throw error;
      }
      const attempts = (stepAttempts.get(runId) ?? 0) + 1;
      stepAttempts.set(runId, attempts);
      log.error({ runId, event: event.type, attempts, err: error }, 'round step failed');
      if (attempts >= options.maxCloseAttempts) {
        stepAttempts.delete(runId);
        await apply(runId, { type: 'fail', reason: `round step failed ${attempts} times: ${(error as Error).message}` });
        return;
      }
      timers.arm(runId, 'retry', clock.now() + options.closeRetryMs, () => later(runId, { type: 'restart' }));
    }
  }

  function later(runId: string, event: RoundEvent): void {
    if (closed) return;
    void lock
      .run(runId, () => (closed || !ownership.owns(runId) ? Promise.resolve() : guarded(runId, event)))
      .catch((error: unknown) => log.error({ runId, event: event.type, err: error }, 'scheduled step failed'));
  }

  const effectDeps: EffectDeps = {
    bus: deps.bus,
    jobs: deps.jobs,
    runs: deps.runs,
    blobs: deps.blobs,
    log,
    metrics: deps.metrics,
    clock,
    options,
    contexts,
    timers,
    folds,
    evaluate: deps.evaluate ?? createEngineEvaluator({ perClientEvalLimit: options.perClientEvalLimit }),
    ...(federation ? { siteJobs: federation.siteJobs } : {}),
    apply,
    later,
    fence: (runId) => ownership.fence(runId),
    async ended(runId) {
      if (!ownership.leased) return;
      await replicas?.store.markEnded(runId);
      await ownership.release(runId);
    },
  };

  async function onRunStart(msg: RunStart): Promise<void> {
    let run = await deps.runs.getRun(msg.runId);
    if (run === null) {
      // Started without the api (e.g. by a script on the bus): the command carries the config.
      const at = new Date(clock.now()).toISOString();
      await deps.runs.createRun(newRunRecord(msg.runId, msg.config, at));
      run = await deps.runs.getRun(msg.runId);
      if (run === null) return;
    }
    if (run.status === 'created' && run.config.mode === 'federated' && run.sites === undefined) {
      const resolved =
        sites === undefined
          ? { ok: false as const, reason: 'this aggregator is not configured for federated runs (no site transport)' }
          : await resolveSites(sites, run.config);
      if (!resolved.ok) return guarded(msg.runId, { type: 'fail', reason: `cannot prepare the run: ${resolved.reason}` });
      run = await deps.runs.updateRun(msg.runId, (r) => ({
        ...r,
        sites: resolved.sites,
        config: { ...r.config, clients: resolved.sites.length },
      }));
    }
    if (run.status === 'created') {
      try {
        await prepareRunStorage(deps, contexts, run, ownership.fence(msg.runId));
      } catch (error) {
        if (error instanceof FencedWriteError) throw error;
        // Bad config for this data (e.g. too few images per client) or a missing data set: the user's to fix.
        return guarded(msg.runId, { type: 'fail', reason: `cannot prepare the run: ${(error as Error).message}` });
      }
      const context = await contexts.get(run);
      log.info(
        {
          runId: run.runId,
          method: run.config.method,
          clients: run.config.clients,
          rounds: run.config.rounds,
          ...(context.simulation
            ? { shards: context.simulation.prepared.shards.map((s) => s.count) }
            : { sites: context.federated?.sites }),
        },
        'run started',
      );
    }
    await guarded(msg.runId, { type: 'start' });
  }

  function reject(msg: UpdateReady, reason: UpdateRejectReason, message: string, site?: string): Promise<void> {
    deps.metrics.updatesRejectedTotal.inc({ reason });
    if (site !== undefined) deps.metrics.sites.update(site, 'rejected');
    log.warn(
      { runId: msg.runId, round: msg.round, clientId: msg.clientId, site, reason, detail: message, workerId: msg.workerId },
      'update rejected',
    );
    return apply(msg.runId, { type: 'update-rejected', round: msg.round, rejection: { clientId: msg.clientId, reason, message } });
  }

  /** An update notice: the machine's round checks, then the content checks, then acceptance. `site` is set in federated mode. */
  async function onUpdate(msg: UpdateReady, site?: string): Promise<void> {
    const state = await load(msg.runId);
    if (state === null) {
      deps.metrics.updatesRejectedTotal.inc({ reason: 'unknown-run' });
      log.warn({ runId: msg.runId, workerId: msg.workerId, site }, 'update for an unknown run rejected');
      return;
    }
    let samples: SampleRule;
    if (site === undefined) {
      if (state.run.config.mode === 'federated') return reject(msg, 'unselected', 'a federated run takes updates from its sites only');
      const context = await contexts.get(state.run);
      samples = { kind: 'exact', samples: context.simulation?.prepared.shards[msg.clientId]?.count };
    } else {
      // The client is the site the broker authenticated, never the id the message carries.
      const clientId = state.run.sites?.indexOf(site) ?? -1;
      const record = await sites?.getSite(site).catch(() => null);
      if (clientId < 0 || record == null || record.state !== 'active') {
        return reject(msg, 'unselected', `site ${site} is not an active site of run ${msg.runId}`, site);
      }
      msg = { ...msg, clientId, workerId: site };
      samples = { kind: 'cap', max: record.declaredSamples };
    }
    const refusal = admitUpdate(state, msg);
    if (refusal !== undefined || state.round === null) return reject(msg, refusal?.reason ?? 'stale', refusal?.message ?? 'no round', site);
    const verdict = await checkUpdateContent(deps.blobs, await contexts.get(state.run), state.round, msg, {
      ...(site ? { site } : {}),
      samples,
    });
    if (!verdict.ok) return reject(msg, verdict.reason, verdict.message, site);
    deps.metrics.updateBytes.observe(verdict.bytes);
    log.info(
      { runId: msg.runId, round: msg.round, clientId: msg.clientId, site, samples: verdict.samples, workerId: msg.workerId },
      'update accepted',
    );
    const { runId, round, clientId, updateKey, trainSeconds, loss, workerId, samplesProcessed, siteMetrics } = msg;
    folds.offer(runId, clientId, verdict.sha256, verdict.blob);
    await guarded(runId, {
      type: 'update-accepted',
      round,
      update: {
        clientId,
        samples: verdict.samples,
        updateKey,
        trainSeconds,
        loss,
        workerId,
        sha256: verdict.sha256,
        ...(samplesProcessed !== undefined ? { samplesProcessed } : {}),
        ...(site !== undefined ? { site } : {}),
        ...(siteMetrics !== undefined ? { siteMetrics } : {}),
      },
    });
    await foldOnArrival(runId, round, clientId);
    if (site !== undefined) {
      const at = clock.now();
      deps.metrics.sites.update(site, 'accepted', { atMs: at, trainSeconds, ...(siteMetrics ? { metrics: siteMetrics } : {}) });
      await sites?.updated(site, runId, round, at);
    }
  }

  /**
   * Folds the round's accepted updates not folded yet (normally just this one, from the bytes it
   * was validated with). Not fatal: the aggregation tops up whatever is missing from the blobs.
   */
  async function foldOnArrival(runId: string, round: number, clientId: number): Promise<void> {
    try {
      const state = await load(runId);
      const record = state?.round;
      if (state === null || record == null || record.round !== round || record.status !== 'collecting') return;
      if (!ownership.owns(runId)) return;
      const context = await contexts.get(state.run);
      await folds.topUp(runId, round, await context.global(record.baseVersion), record.accepted, ownership.fence(runId));
    } catch (error) {
      if (error instanceof FencedWriteError) {
        ownership.lost(runId, error);
        throw error;
      }
      log.warn({ runId, round, clientId, err: error }, 'fold on arrival failed; the aggregation folds it');
    } finally {
      folds.withdraw(runId, clientId);
    }
  }

  /** A message of a site (federated mode), attributed by the broker. */
  async function onSiteMessage(message: SiteMessage, delivery: SiteDelivery): Promise<void> {
    // An update is a run's input: the run's owner handles it (another replica's goes to its inbox).
    if (message.type === 'update.ready') {
      return holdWhileRolledBack(message.runId, 'site-update', () => router.route({ kind: 'site-update', message, site: delivery.site }));
    }
    const at = clock.now();
    const seen = await sites?.heartbeat(delivery.site, message, at);
    if (seen == null) {
      log.warn({ site: delivery.site }, 'heartbeat of a site that is not active ignored');
      return;
    }
    deps.metrics.sites.heartbeat(delivery.site, at, seen.samples);
  }

  /** One input of a run this replica owns (the router takes the run's lock first). */
  async function processInput(input: RunInput): Promise<void> {
    if (input.kind === 'job-failed') {
      const { runId, round, clientId, reason } = input;
      return guarded(runId, { type: 'client-failed', round, clientId, reason });
    }
    if (input.kind === 'site-update') return onUpdate(input.message, input.site);
    const message = input.message;
    switch (message.type) {
      case 'run.start':
        return onRunStart(message);
      case 'round.start':
        return guarded(message.runId, { type: 'round-start', round: message.round });
      case 'run.stop':
        return guarded(message.runId, { type: 'stop' });
      case 'update.ready':
        return onUpdate(message);
      default:
        log.warn({ type: message.type }, 'unexpected message type');
    }
  }

  const router = createRunRouter({
    ownership,
    ...(replicas ? { store: replicas.store } : {}),
    runs: deps.runs,
    lock,
    clock,
    log,
    metrics: deps.metrics,
    process: processInput,
    resume: (runId) => guarded(runId, { type: 'restart' }),
  });

  /**
   * Routes one delivery; while its run's state in Redis is rolled back (StateRolledBackError) the
   * delivery is held, unacked, and tried again every `closeRetryMs`. Throwing instead would requeue
   * it until the broker's delivery limit dead-letters it, and a run restored by the operator would
   * then miss that input (an update, a round start). Closing hands held deliveries back to the broker.
   */
  async function holdWhileRolledBack(runId: string, kind: string, route: () => Promise<void>): Promise<void> {
    for (;;) {
      try {
        return await route();
      } catch (error) {
        if (!(error instanceof StateRolledBackError) || closed) throw error;
        deps.metrics.runOwnershipTotal.inc({ event: 'refused' });
        log.error({ runId, input: kind, err: error }, 'refusing a rolled-back Redis state');
        await new Promise<void>((resolve) => clock.setTimeout(resolve, options.closeRetryMs));
        if (closed) throw error;
      }
    }
  }

  const handle = (message: Message): Promise<void> =>
    holdWhileRolledBack(message.runId, message.type, () => router.route({ kind: 'message', message }));

  /** The broker dead-lettered a job: its client failed for that round (the machine ignores stale ones). */
  const handleFailure = (failure: JobFailure): Promise<void> => {
    const { job, reason, queue } = failure;
    deps.metrics.jobFailuresTotal.inc({ reason });
    log.warn({ runId: job.runId, round: job.round, clientId: job.clientId, reason, queue, attempt: job.attempt }, 'job failed');
    return holdWhileRolledBack(job.runId, 'job-failed', () =>
      router.route({ kind: 'job-failed', runId: job.runId, round: job.round, clientId: job.clientId, reason }),
    );
  };

  return {
    handle,
    handleFailure,
    async start() {
      for (const run of await deps.runs.listRuns()) {
        if (run.status === 'running' || run.status === 'stopping') {
          // Runs from before the active-run set existed join it here; a replica takes each one nobody holds.
          await replicas?.store.markActive(run.runId);
          log.info({ runId: run.runId, round: run.currentRound, roundStatus: run.roundStatus }, 'resuming run');
          await router.claim(run.runId, 'start-up').catch((error: unknown) => log.error({ runId: run.runId, err: error }, 'resume failed'));
        }
      }
      subscriptions.push(await deps.bus.subscribe('control', (m) => handle(m)));
      subscriptions.push(await deps.bus.subscribe('updates', (m) => handle(m)));
      subscriptions.push(await deps.jobs.consumeFailures(handleFailure));
      if (federation) subscriptions.push(await federation.siteMessages.subscribe(onSiteMessage));
      router.startLoops(replicas?.scanMs ?? 1_000, replicas?.inboxPollMs ?? 200);
    },
    close: () =>
      (closing ??= (async () => {
        closed = true;
        router.stopLoops();
        for (const sub of subscriptions.splice(0)) {
          try {
            await sub.cancel();
          } catch (error) {
            log.warn({ err: error }, 'cancel failed');
          }
        }
        timers.clearAll();
        await lock.idle();
        // Leases last: in-flight steps finished under them; released, another replica takes the runs at once.
        await ownership.close();
      })()),
  };
}
