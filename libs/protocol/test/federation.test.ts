import { describe, expect, it } from 'vitest';
import {
  attributeSiteDelivery,
  encodeSiteMessage,
  federatedNames,
  parseSiteMessage,
  siteLivenessKey,
  siteOfUser,
  siteRecordKey,
  siteRoutingKey,
  sitesIndexKey,
  siteTargetKey,
  siteUpdateKey,
  siteUserName,
  type SiteMessageInput,
} from '../src/index.js';

const heartbeat: SiteMessageInput = {
  type: 'site.heartbeat',
  version: 1,
  samples: 1200,
  backend: 'wasm',
  softwareVersion: '0.1.0',
  sentAt: 1_700_000_000_000,
};
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('federated names', () => {
  it('when a prefix is given, then users, queues and exchanges carry it; without one they do not', () => {
    expect(siteUserName('prod', 'clinic-1')).toBe('prod-site-clinic-1');
    expect(siteUserName('', 'clinic-1')).toBe('site-clinic-1');
    expect(federatedNames('prod').siteJobQueue('clinic-1')).toBe('prod.fedssd.jobs.site.clinic-1');
    expect(federatedNames('')).toMatchObject({
      siteUpdatesExchange: 'fedssd.site-updates',
      siteUpdatesQueue: 'fedssd.site-updates',
      siteJobsExchange: 'fedssd.site-jobs',
      dlx: 'fedssd.dlx',
    });
    expect(siteRoutingKey('clinic-1')).toBe('site.clinic-1');
  });

  it('when a user name is parsed back, then only site users of the same deployment give a site', () => {
    expect(siteOfUser('prod', 'prod-site-clinic-1')).toBe('clinic-1');
    expect(siteOfUser('', 'site-a')).toBe('a');
    expect(siteOfUser('prod', 'site-a')).toBeUndefined();
    expect(siteOfUser('prod', 'other-site-a')).toBeUndefined();
    expect(siteOfUser('prod', 'prod-aggregator')).toBeUndefined();
    expect(siteOfUser('prod', 'prod-site-Bad.Name')).toBeUndefined();
    expect(siteOfUser('prod', undefined)).toBeUndefined();
  });

  it.each([['A'], ['-a'], [''], ['a'.repeat(33)], ['a.b'], ['a*'], ['a:b']])(
    'when the site name is %j, then it is refused naming the rule',
    (name) => {
      expect(() => siteUserName('', name)).toThrow('site name must be 1-32 characters of [a-z0-9-], starting with a letter or digit');
    },
  );

  it('when the prefix holds a character outside [A-Za-z0-9_-], then it is refused', () => {
    expect(() => federatedNames('a.b')).toThrow('prefix must be empty or 1-64 characters of [A-Za-z0-9_-]');
    expect(() => siteUserName('a*', 'x')).toThrow('prefix must be empty');
  });
});

describe('federated keys', () => {
  it('when building site keys, then per-run keys share the run hash tag and registry keys are global', () => {
    expect(siteTargetKey('r1', 'a')).toBe('fedssd:run:{r1}:site:a:target');
    expect(siteUpdateKey('r1', 'a', 3)).toBe('fedssd:run:{r1}:site:a:update:r3');
    expect(sitesIndexKey()).toBe('fedssd:sites');
    expect(siteRecordKey('a')).toBe('fedssd:site:a');
    expect(siteLivenessKey('a')).toBe('fedssd:site:a:liveness');
  });

  it('when an argument is out of range, then the key builder throws naming it', () => {
    expect(() => siteUpdateKey('r1', 'a', 0)).toThrow('round must be an integer between 1 and 10000 (got 0)');
    expect(() => siteTargetKey('r:1', 'a')).toThrow('runId must be 1-64 characters');
    expect(() => siteRecordKey('A')).toThrow('site name must be');
  });
});

describe('site messages', () => {
  it('when a heartbeat round-trips through encode and parse, then it is unchanged', () => {
    expect(parseSiteMessage(encodeSiteMessage(heartbeat))).toEqual({ ok: true, message: heartbeat });
  });

  it('when a site sends a message type it may not send, then parsing refuses it by type', () => {
    const result = parseSiteMessage(bytes({ type: 'run.start', version: 1, runId: 'r' }));
    expect(result).toEqual({ ok: false, reason: 'type: must be one of update.ready, site.heartbeat (got "run.start")' });
  });

  it('when a heartbeat field is missing or wrong, then the reason names the field', () => {
    const result = parseSiteMessage(bytes({ ...heartbeat, samples: -1, backend: undefined }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^site.heartbeat: samples: .*\(got -1\); backend: /);
    expect(parseSiteMessage(new Uint8Array([0xff, 0xfe]))).toEqual({ ok: false, reason: 'message is not valid UTF-8 JSON' });
    expect(() => encodeSiteMessage({ ...heartbeat, sentAt: -5 } as SiteMessageInput)).toThrow(/invalid site message: sentAt/);
  });
});

describe('attributing a delivery to a site', () => {
  it("when user_id is a site user and the routing key is that site's, then the delivery counts for that site", () => {
    expect(attributeSiteDelivery('p', { userId: 'p-site-a', routingKey: 'site.a' })).toEqual({ ok: true, site: 'a' });
  });

  it.each([
    [{ userId: undefined, routingKey: 'site.a' }, 'no user_id property'],
    [{ userId: '', routingKey: 'site.a' }, 'no user_id property'],
    [{ userId: 'guest', routingKey: 'site.a' }, 'user_id "guest" is not a site of this deployment'],
    [{ userId: 'q-site-a', routingKey: 'site.a' }, 'user_id "q-site-a" is not a site of this deployment'],
    [{ userId: 'p-site-a', routingKey: 'site.b' }, 'routing key "site.b" is not site.a'],
    [{ userId: 'p-site-a', routingKey: 'site.a.x' }, 'routing key "site.a.x" is not site.a'],
  ])('when the origin is %j, then it is refused: %s', (origin, reason) => {
    expect(attributeSiteDelivery('p', origin)).toEqual({ ok: false, reason });
  });
});
