import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, sentinelFields, sentinelOption } from '../src/index.js';

const Schema = z.object({ ...sentinelFields() });

describe('REDIS_SENTINELS / REDIS_SENTINEL_NAME', () => {
  it('when unset, then no Sentinel option (direct REDIS_URL)', () => {
    expect(sentinelOption(loadConfig(Schema, {}))).toBeUndefined();
  });

  it('when set, then host:port entries (IPv6 in brackets) and the name, default fedssd', () => {
    const config = loadConfig(Schema, { REDIS_SENTINELS: 'a.example:26379, 10.0.0.2:26380,[::1]:5000' });
    expect(sentinelOption(config)).toEqual({
      name: 'fedssd',
      sentinels: [
        { host: 'a.example', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 5000 },
      ],
    });
    expect(sentinelOption(loadConfig(Schema, { REDIS_SENTINELS: 'h:1', REDIS_SENTINEL_NAME: 'mymaster' }))?.name).toBe('mymaster');
  });

  it.each([
    ['h', /REDIS_SENTINELS: must be 1-16 comma-separated host:port entries with ports 1-65535 \(got "h"\)/],
    ['h:0', /REDIS_SENTINELS: .*\(got "h:0"\)/],
    ['h:70000', /REDIS_SENTINELS: .*\(got "h:70000"\)/],
    ['a:1,bad host:2', /REDIS_SENTINELS: .*\(got "bad host:2"\)/],
    [',', /REDIS_SENTINELS: .*\(got 0\)/],
    [Array.from({ length: 17 }, (_, i) => `h:${i + 1}`).join(','), /REDIS_SENTINELS: .*\(got 17\)/],
  ])('when REDIS_SENTINELS is %j, then a ConfigError names the variable and the bad entry', (value, message) => {
    expect(() => loadConfig(Schema, { REDIS_SENTINELS: value })).toThrow(ConfigError);
    expect(() => loadConfig(Schema, { REDIS_SENTINELS: value })).toThrow(message);
  });

  it('when REDIS_SENTINEL_NAME has other characters, then a ConfigError names it', () => {
    expect(() => loadConfig(Schema, { REDIS_SENTINELS: 'h:1', REDIS_SENTINEL_NAME: 'a b' })).toThrow(
      /REDIS_SENTINEL_NAME: must be 1-64 characters of \[A-Za-z0-9_.-\] \(got "a b"\)/,
    );
  });
});
