import type { MessageInput } from '../src/index.js';

/** One valid message of every type, as a producer would write it. */
export const validMessages: MessageInput[] = [
  { type: 'run.start', version: 1, runId: 'run-1', config: { clients: 4, rounds: 2 } },
  { type: 'round.start', version: 1, runId: 'run-1', round: 1 },
  { type: 'run.stop', version: 1, runId: 'run-1', reason: 'user request' },
  {
    type: 'train.job', version: 1, runId: 'run-1', round: 1, clientId: 3, globalVersion: 0,
    modelKey: 'fedssd:run:{run-1}:model:v0', target: { targetsKey: 'fedssd:run:{run-1}:targets', clientId: 3 },
    deadline: 1_700_000_000_000, attempt: 1,
  },
  {
    type: 'update.ready', version: 1, runId: 'run-1', round: 1, clientId: 3, globalVersion: 0,
    updateKey: 'fedssd:run:{run-1}:round:1:update:3', samples: 512, trainSeconds: 12.5,
    loss: { total: 1.2, align: 0.4, uniformity: -3.1, dsr: 0.2, pd: 0.05 }, workerId: 'trainer-a',
  },
  { type: 'round.opened', version: 1, runId: 'run-1', round: 1, globalVersion: 0, selectedClients: [0, 3], deadline: 1 },
  {
    type: 'round.closed', version: 1, runId: 'run-1', round: 1, outcome: 'all-reported', accepted: 2, rejected: 1,
    rejectedByReason: { duplicate: 1 }, globalVersion: 1, durationMs: 900,
  },
  {
    type: 'round.evaluated', version: 1, runId: 'run-1', round: 1, globalVersion: 1, evalSeconds: 2,
    metrics: { knnAccuracy: 0.41, uniformity: 3.2, effectiveRank: 40.5, interClientUniformity: null },
  },
  { type: 'run.finished', version: 1, runId: 'run-1', roundsCompleted: 2, globalVersion: 2 },
  { type: 'run.failed', version: 1, runId: 'run-1', round: 2, reason: 'model blob missing' },
];
