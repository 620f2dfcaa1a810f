import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, envUrlList, loadConfig } from '../src/index.js';

const Schema = z.object({ RABBITMQ_URL: envUrlList(['amqp:', 'amqps:']).default('amqp://127.0.0.1:5672') });

function problemOf(value: string): string {
  try {
    loadConfig(Schema, { RABBITMQ_URL: value });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('envUrlList (RABBITMQ_URL naming the nodes of a cluster)', () => {
  it('when several URLs are comma-separated, then they are kept in order without blanks', () => {
    const config = loadConfig(Schema, { RABBITMQ_URL: ' amqp://u:p@a:5672 , amqps://u:p@b:5671,' });
    expect(config.RABBITMQ_URL).toBe('amqp://u:p@a:5672,amqps://u:p@b:5671');
  });

  it('when one URL is given, then it is taken as before', () => {
    expect(loadConfig(Schema, { RABBITMQ_URL: 'amqp://u:p@a:5672' }).RABBITMQ_URL).toBe('amqp://u:p@a:5672');
    expect(loadConfig(Schema, {}).RABBITMQ_URL).toBe('amqp://127.0.0.1:5672');
  });

  it('when one entry has another scheme, then the whole value is refused without echoing credentials', () => {
    const problem = problemOf('amqp://u:hunter2@a:5672,http://u:hunter2@b');
    expect(problem).toMatch(/^RABBITMQ_URL: must be 1-16 comma-separated amqp:\/\/ or amqps:\/\/ URLs/);
    expect(problem).not.toContain('hunter2');
  });

  it('when the list is empty or longer than 16, then it is refused', () => {
    expect(problemOf(' , ')).toMatch(/comma-separated/);
    expect(problemOf(Array.from({ length: 17 }, (_, i) => `amqp://n${i}`).join(','))).toMatch(/comma-separated/);
  });
});
