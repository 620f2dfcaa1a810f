import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrlCredentials } from '../src/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('when logging an object and a message, then one JSON line carries service, level label, fields and msg', () => {
    const { lines, stream } = capture();
    const log = createLogger({ service: 'api', level: 'info', destination: stream });
    log.child({ runId: 'r1' }).info({ round: 3 }, 'round opened');
    log.debug({ hidden: true }, 'below the level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'api', level: 'info', runId: 'r1', round: 3, msg: 'round opened' });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('when fields hold secrets, then authorization, tokens, passwords and URL credentials are redacted', () => {
    const { lines, stream } = capture();
    const log = createLogger({ service: 'api', destination: stream });
    log.info(
      {
        authorization: 'Bearer abc',
        req: { headers: { authorization: 'Bearer def' } },
        client: { token: 'tok', password: 'pw', name: 'kept' },
        url: 'amqp://guest:hunter2@rabbit:5672/vhost',
        err: new Error('connect to redis://:sekret@redis:6379 failed'),
      },
      'connecting',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['abc', 'def', '"tok"', '"pw"', 'hunter2', 'sekret']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      authorization: '[redacted]',
      client: { token: '[redacted]', password: '[redacted]', name: 'kept' },
      url: 'amqp://[redacted]@rabbit:5672/vhost',
    });
  });

  it('when a message string contains a URL with credentials, then it is scrubbed too', () => {
    const { lines, stream } = capture();
    createLogger({ service: 'api', destination: stream }).warn('lost amqp://u:p@host');
    expect(lines[0]!.msg).toBe('lost amqp://[redacted]@host');
  });

  it('when a URL has no credentials, then it is left alone', () => {
    expect(redactUrlCredentials('see http://example.com/a@b and redis://localhost:6379')).toBe(
      'see http://example.com/a@b and redis://localhost:6379',
    );
  });
});
