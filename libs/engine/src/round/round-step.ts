import { MESSAGE_VERSION, type MessageInput, type MetricsRow, type RoundRecord, type RunRecord } from '@fedssd/protocol';
import type { RoundEffect, RunState, Transition } from './round-types.js';

/** Messages as the machine emits them: the envelope (version, runId, sentAt) is filled in here. */
type Emitted = MessageInput extends infer M ? (M extends MessageInput ? Omit<M, 'version' | 'runId' | 'sentAt'> : never) : never;

/**
 * The working copy of one transition: the run and round as they become, every round record
 * written, the metrics row of a round that closed, and the effects in order. The run's
 * `currentRound` and `roundStatus` follow the round record on every write, so the two can never
 * disagree.
 */
export class Step {
  run: RunRecord;
  round: RoundRecord | null;
  row: MetricsRow | undefined;
  readonly effects: RoundEffect[] = [];
  private readonly written = new Map<number, RoundRecord>();
  private changed = false;
  private ignoredWhy: string | undefined;

  constructor(
    state: RunState,
    readonly at: number,
    readonly options: { readonly maxRecordedRejections: number; readonly population: readonly number[] | undefined },
  ) {
    this.run = state.run;
    this.round = state.round;
  }

  get config() {
    return this.run.config;
  }

  iso(): string {
    return new Date(this.at).toISOString();
  }

  setRun(patch: Partial<RunRecord>): void {
    this.run = { ...this.run, ...patch, updatedAt: this.iso() };
    this.changed = true;
  }

  setRound(next: RoundRecord): void {
    this.round = next;
    this.written.set(next.round, next);
    this.setRun({ currentRound: next.round, roundStatus: next.status });
  }

  effect(effect: RoundEffect): void {
    this.effects.push(effect);
  }

  emit(message: Emitted): void {
    this.effects.push({
      type: 'emit',
      message: { ...message, version: MESSAGE_VERSION, runId: this.run.runId, sentAt: this.at } as MessageInput,
    });
  }

  ignore(why: string): void {
    this.ignoredWhy = why;
  }

  result(): Transition {
    const state: RunState = { run: this.run, round: this.round };
    const writes = this.changed
      ? { run: this.run, rounds: [...this.written.values()], ...(this.row !== undefined ? { metricsRow: this.row } : {}) }
      : null;
    return {
      state,
      writes,
      effects: this.effects,
      ...(this.ignoredWhy !== undefined && !this.changed ? { ignored: this.ignoredWhy } : {}),
    };
  }
}
