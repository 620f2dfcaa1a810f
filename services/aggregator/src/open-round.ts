import { deriveSeed } from '@fedssd/engine';
import { sampleClients } from '@fedssd/fedavg';
import { MESSAGE_VERSION, modelKey, targetsKey, type RoundRecord, type RunRecord } from '@fedssd/protocol';
import type { Core } from './core.js';

/** The clients of a round: the same seeded draw as `simulateRun`, so both pick the same ones. */
export function selectClients(run: RunRecord, round: number): number[] {
  const { clients, participation, seed } = run.config;
  return sampleClients({ clients, participation, round, seed: deriveSeed(seed, 'sample') });
}

/**
 * Opens `round`: run record first (currentRound, 'open'), then the round record, then one job per
 * selected client (each confirmed by the broker), then 'collecting' and `round.opened`. Every
 * step can be redone: a restarted aggregator that finds the round 'open' (or missing) calls this
 * again with `attempt` 2; duplicate jobs are harmless because updates are written NX and a
 * client's second update is rejected as a duplicate.
 */
export async function openRound(core: Core, run: RunRecord, round: number, attempt = 1): Promise<void> {
  const { runId, config } = run;
  const context = await core.contexts.get(run);
  const now = core.clock.now();
  const current = await core.runs.updateRun(runId, (r) => ({ ...r, currentRound: round, roundStatus: 'open', updatedAt: core.isoNow() }));
  let record = await core.runs.getRound(runId, round);
  if (record === null) {
    record = {
      runId,
      round,
      status: 'open',
      selected: selectClients(run, round),
      baseVersion: current.globalVersion,
      openedAt: new Date(now).toISOString(),
      deadline: now + config.roundDeadlineMs,
      accepted: [],
      rejected: [],
    };
    await core.runs.putRound(record);
  }
  if (record.status === 'open') {
    const hasTargets = context.prepared.targets !== undefined;
    for (const clientId of record.selected) {
      await core.jobs.publishJob({
        type: 'train.job',
        version: MESSAGE_VERSION,
        runId,
        sentAt: core.clock.now(),
        round,
        clientId,
        globalVersion: record.baseVersion,
        modelKey: modelKey(runId, record.baseVersion),
        target: hasTargets ? { targetsKey: targetsKey(runId), clientId } : null,
        deadline: record.deadline,
        attempt,
      });
    }
    const opened: RoundRecord | null = await core.runs.updateRound(runId, round, (r) =>
      r.status === 'open' ? { ...r, status: 'collecting' } : undefined,
    );
    if (opened) record = opened;
    await core.runs.updateRun(runId, (r) =>
      r.currentRound === round ? { ...r, roundStatus: record?.status ?? r.roundStatus, updatedAt: core.isoNow() } : r,
    );
    await core.bus.publish({
      type: 'round.opened',
      version: MESSAGE_VERSION,
      runId,
      sentAt: core.clock.now(),
      round,
      globalVersion: record.baseVersion,
      selectedClients: record.selected,
      deadline: record.deadline,
    });
    core.log.info({ runId, round, selected: record.selected, baseVersion: record.baseVersion, attempt }, 'round opened');
  }
  if (record.status === 'collecting') core.armTimers(record, run.config);
}
