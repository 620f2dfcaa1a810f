export { transition } from './round-machine.js';
export { admitUpdate, type AdmitRefusal } from './admit-update.js';
export { dueOutcome, reachedQuorum, nextTimerAt, isEvaluationRound } from './round-policy.js';
export { metricsRowOf, roundLoss } from './round-row.js';
export { selectClients } from './select-clients.js';
export type { RunState, RoundEvent, RoundEffect, Transition, MachineOptions } from './round-types.js';
