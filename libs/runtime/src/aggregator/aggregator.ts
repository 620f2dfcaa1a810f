import { admitUpdate, transition, type RoundEvent, type RunState } from '@fedssd/engine';
import { ROUND_OUTCOMES, type Message, type RunRecord, type RunStart, type SiteMessage, type UpdateReady } from '@fedssd/protocol';
import type { SiteDelivery, Subscription } from '@fedssd/transport';
import { checkUpdateContent, UPDATE_REJECT_REASONS, type SampleRule, type UpdateRejectReason } from './check-update.js';
import { resolveOptions, systemClock, type AggregatorDeps } from './deps.js';
import { createEngineEvaluator } from './evaluator.js';
import { createKeyedLock } from './keyed-lock.js';
import { prepareRunStorage } from './prepare-run.js';
import { createRoundTimers } from './round-timers.js';
import { runEffect, type EffectDeps } from './run-effects.js';
import { createRunContextCache } from './run-context.js';
import { createSiteDirectory } from './site-directory.js';
import { resolveSites } from './resolve-sites.js';

export interface Aggregator {
  /** Resumes every running run from the store, then consumes commands and updates. */
  start(): Promise<void>;
  /** Handles one message as if it arrived on the bus (tests and the simulator; the subscriptions use it too). */
  handle(message: Message): Promise<void>;
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
 * closes (or dies) carries on where it stopped.
 */
export function createAggregator(deps: AggregatorDeps): Aggregator {
  const options = resolveOptions(deps.options);
  const clock = deps.clock ?? systemClock;
  const lock = createKeyedLock();
  const timers = createRoundTimers(clock);
  const contexts = createRunContextCache({ runs: deps.runs, loadData: deps.loadData, evalTestLimit: options.evalTestLimit });
  const log = deps.logger;
  const federation = deps.federation;
  const sites = federation ? createSiteDirectory(federation.state) : undefined;
  const livenessMs = federation?.livenessMs ?? 30_000;
  const subscriptions: Subscription[] = [];
  const stepAttempts = new Map<string, number>();
  let closed = false;
  let closing: Promise<void> | undefined;
  // Every label value at 0 from the start: rate()/increase() and the dashboards see a series
  // before the first rejection or the first round of a given outcome.
  for (const reason of UPDATE_REJECT_REASONS) deps.metrics.updatesRejectedTotal.inc({ reason }, 0);
  for (const outcome of ROUND_OUTCOMES) deps.metrics.roundsTotal.inc({ outcome }, 0);

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
      const seen = await sites.liveness(site);
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
      if (step.writes !== null && (await deps.runs.commit(state.run.seq ?? 0, step.writes)) === null) continue;
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
      .run(runId, () => (closed ? Promise.resolve() : guarded(runId, event)))
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
    evaluate: deps.evaluate ?? createEngineEvaluator({ perClientEvalLimit: options.perClientEvalLimit }),
    ...(federation ? { siteJobs: federation.siteJobs } : {}),
    apply,
    later,
  };

  async function onRunStart(msg: RunStart): Promise<void> {
    let run = await deps.runs.getRun(msg.runId);
    if (run === null) {
      // Started without the api (e.g. by a script on the bus): the command carries the config.
      const at = new Date(clock.now()).toISOString();
      await deps.runs.createRun({
        runId: msg.runId,
        config: msg.config,
        status: 'created',
        createdAt: at,
        updatedAt: at,
        currentRound: 0,
        roundStatus: 'none',
        globalVersion: 0,
        seq: 0,
      });
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
        await prepareRunStorage(deps, contexts, run);
      } catch (error) {
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
      const record = await sites?.record(site);
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
    if (site !== undefined) {
      const at = clock.now();
      deps.metrics.sites.update(site, 'accepted', { atMs: at, trainSeconds, ...(siteMetrics ? { metrics: siteMetrics } : {}) });
      await sites?.updated(site, runId, round, at);
    }
  }

  /** A message of a site (federated mode), attributed by the broker. */
  async function onSiteMessage(message: SiteMessage, delivery: SiteDelivery): Promise<void> {
    if (message.type === 'update.ready') return lock.run(message.runId, () => onUpdate(message, delivery.site));
    const at = clock.now();
    const seen = await sites?.heartbeat(delivery.site, message, at);
    if (seen == null) {
      log.warn({ site: delivery.site }, 'heartbeat of a site that is not active ignored');
      return;
    }
    deps.metrics.sites.heartbeat(delivery.site, at, seen.samples);
  }

  const handle = (message: Message): Promise<void> =>
    lock.run(message.runId, async () => {
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
    });

  return {
    handle,
    async start() {
      for (const run of await deps.runs.listRuns()) {
        if (run.status === 'running' || run.status === 'stopping') {
          log.info({ runId: run.runId, round: run.currentRound, roundStatus: run.roundStatus }, 'resuming run');
          await lock.run(run.runId, () => guarded(run.runId, { type: 'restart' }));
        }
      }
      subscriptions.push(await deps.bus.subscribe('control', (m) => handle(m)));
      subscriptions.push(await deps.bus.subscribe('updates', (m) => handle(m)));
      if (federation) subscriptions.push(await federation.siteMessages.subscribe(onSiteMessage));
    },
    close: () =>
      (closing ??= (async () => {
        closed = true;
        for (const sub of subscriptions.splice(0)) {
          try {
            await sub.cancel();
          } catch (error) {
            log.warn({ err: error }, 'cancel failed');
          }
        }
        timers.clearAll();
        await lock.idle();
      })()),
  };
}
