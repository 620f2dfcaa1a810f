import { z } from 'zod';
import { text } from '../fields.js';
import { RunConfigSchema } from '../run-config.js';
import { envelope, RoundSchema } from './base.js';

/** api -> aggregator: a run was created; the aggregator sets it up (targets, version 0). */
export const RunStartSchema = z.object({
  ...envelope('run.start'),
  config: RunConfigSchema,
});

/**
 * api -> aggregator: open round `round`. Carrying the round number makes the command
 * idempotent: a redelivered or repeated command for a round that is already open or past is ignored.
 */
export const RoundStartSchema = z.object({
  ...envelope('round.start'),
  round: RoundSchema,
});

/** api -> aggregator: stop the run; an open round is closed with outcome 'stopped'. */
export const RunStopSchema = z.object({
  ...envelope('run.stop'),
  reason: text(512).optional(),
});

export type RunStart = z.infer<typeof RunStartSchema>;
export type RoundStart = z.infer<typeof RoundStartSchema>;
export type RunStop = z.infer<typeof RunStopSchema>;
export type Command = RunStart | RoundStart | RunStop;
