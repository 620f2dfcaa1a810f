import { describe, expect, it } from 'vitest';
import { channelOf, encodeMessage, InvalidMessageError, MESSAGE_TYPES, MessageSchema, parseMessage } from '../src/index.js';
import { validMessages } from './fixtures.js';

const text = (value: unknown) => JSON.stringify(value);
const reasonOf = (input: Uint8Array | string) => {
  const result = parseMessage(input);
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
};

describe('messages', () => {
  it('covers every message type with a fixture', () => {
    expect(validMessages.map((m) => m.type).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it.each(validMessages.map((m) => [m.type, m] as const))('when a valid %s is encoded, then it parses back equal', (_type, message) => {
    const result = parseMessage(encodeMessage(message));
    expect(result).toEqual({ ok: true, message: MessageSchema.parse(message) });
  });

  it('when run.start is parsed, then the run config defaults are applied', () => {
    const result = parseMessage(text(validMessages[0]));
    expect(result.ok && result.message.type === 'run.start' && result.message.config.batchSize).toBe(128);
  });

  it('routes commands to control, jobs, updates and events', () => {
    expect(channelOf('run.start')).toBe('control');
    expect(channelOf('round.start')).toBe('control');
    expect(channelOf('train.job')).toBe('jobs');
    expect(channelOf('update.ready')).toBe('updates');
    expect(channelOf('round.closed')).toBe('events');
  });

  it.each([
    ['not JSON', '{"type":', 'message is not valid JSON'],
    ['empty', '', 'message is not valid JSON'],
    ['an array', '[1,2]', 'message must be a JSON object (got [1,2])'],
    ['null', 'null', 'message must be a JSON object (got null)'],
    ['a number', '42', 'message must be a JSON object (got 42)'],
    ['no type', '{"version":1}', 'type: must be one of'],
    ['an unknown type', '{"type":"hello","version":1}', 'type: must be one of'],
    ['a future version', text({ ...validMessages[1], version: 2 }), 'version: must be 1 (got 2)'],
    ['no version', text({ type: 'round.start', runId: 'r', round: 1 }), 'version: must be 1 (got nothing)'],
  ])('when given %s, then it is rejected with a reason', (_what, input, reason) => {
    expect(reasonOf(input)).toContain(reason);
  });

  it('when bytes are not UTF-8, then it is rejected without throwing', () => {
    expect(reasonOf(new Uint8Array([0xff, 0xfe, 0x00, 0x7b]))).toBe('message is not valid UTF-8');
  });

  it('when given random bytes, then it never throws', () => {
    let state = 12345;
    for (let i = 0; i < 200; i++) {
      const bytes = new Uint8Array(1 + (i % 64)).map(() => {
        state = (state * 1103515245 + 12345) >>> 0;
        return state >>> 24;
      });
      expect(parseMessage(bytes).ok).toBe(false);
    }
  });

  it('when the message is too large, then it is rejected', () => {
    expect(reasonOf(new Uint8Array((1 << 20) + 1))).toContain('larger than');
  });

  it.each([
    ['train.job', { clientId: -1 }, 'train.job: clientId: must be between 0 and 999 (got -1)'],
    ['train.job', { round: 0 }, 'train.job: round: must be between 1 and 10000 (got 0)'],
    ['train.job', { runId: 'a b' }, 'train.job: runId: must be 1-64 characters of [A-Za-z0-9_-] (got "a b")'],
    ['train.job', { attempt: 0 }, 'train.job: attempt: must be between 1 and 1000 (got 0)'],
    ['train.job', { modelKey: 7 }, 'train.job: modelKey: must be a key string of 1-512 characters (got 7)'],
    ['update.ready', { samples: -5 }, 'update.ready: samples: must be between 0 and'],
    ['update.ready', { globalVersion: 1.5 }, 'update.ready: globalVersion: must be an integer between 0 and 10000 (got 1.5)'],
    ['round.start', { round: 'next' }, 'round.start: round: must be an integer between 1 and 10000 (got "next")'],
    ['round.closed', { outcome: 'maybe' }, "round.closed: outcome: must be one of 'all-reported'"],
    ['run.start', { config: { clients: 0 } }, 'run.start: config.clients: must be between 1 and 1000 (got 0)'],
  ])('when a %s has %j, then the reason names the field', (type, patch, reason) => {
    const base = validMessages.find((m) => m.type === type);
    expect(reasonOf(text({ ...base, ...patch }))).toContain(reason);
  });

  it('when a producer encodes an invalid message, then encodeMessage throws naming the field', () => {
    const bad = { ...validMessages[1], round: 0 } as never;
    expect(() => encodeMessage(bad)).toThrow(InvalidMessageError);
    expect(() => encodeMessage(bad)).toThrow('round: must be between 1 and 10000 (got 0)');
  });
});
