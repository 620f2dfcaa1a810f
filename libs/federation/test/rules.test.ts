import { describe, expect, it } from 'vitest';
import {
  aggregatorRabbitPermissions,
  aggregatorRedisAcl,
  apiRabbitPermissions,
  apiRedisAcl,
  siteRabbitPermissions,
  siteRedisAcl,
  siteTopicPermissions,
} from '../src/index.js';

// RabbitMQ matches permission regexes with Erlang's PCRE; these patterns use only anchors, escapes and
// alternation, which JavaScript's RegExp reads the same way.
const matches = (regex: string, name: string) => new RegExp(regex).test(name);

describe('RabbitMQ rules of a site', () => {
  const p = siteRabbitPermissions('prod', 'clinic-1');

  it('when a site is named, then it may read only its own job queue', () => {
    expect(matches(p.read, 'prod.fedssd.jobs.site.clinic-1')).toBe(true);
    for (const other of [
      'prod.fedssd.jobs.site.clinic-10',
      'prod.fedssd.jobs.site.clinic',
      'prod.fedssd.jobs',
      'prodXfedssdXjobsXsiteXclinic-1',
      'x.prod.fedssd.jobs.site.clinic-1',
    ])
      expect(matches(p.read, other), other).toBe(false);
  });

  it('when a site publishes, then it may write only the site-updates exchange: not amq.default, control, events or another prefix', () => {
    expect(matches(p.write, 'prod.fedssd.site-updates')).toBe(true);
    for (const other of [
      'amq.default',
      'prod.fedssd.control',
      'prod.fedssd.events',
      'fedssd.site-updates',
      'prod.fedssd.site-updatesX',
      'prodXfedssdXsite-updates',
    ])
      expect(matches(p.write, other), other).toBe(false);
  });

  it('when a site declares or deletes anything, then configure matches no name', () => {
    for (const name of ['prod.fedssd.jobs.site.clinic-1', 'amq.gen-abc', 'anything']) expect(matches(p.configure, name)).toBe(false);
  });

  it('when a site picks a routing key, then topic authorisation allows only site.NAME and no binding', () => {
    const t = siteTopicPermissions('prod', 'clinic-1');
    expect(t.exchange).toBe('prod.fedssd.site-updates');
    expect(matches(t.write, 'site.clinic-1')).toBe(true);
    for (const key of ['site.clinic-10', 'site.clinic-1.x', 'site.#', 'site.*', 'siteXclinic-1', ''])
      expect(matches(t.write, key), key).toBe(false);
    expect(matches(t.read, 'site.clinic-1')).toBe(false);
  });

  it('when there is no prefix, then names have none either', () => {
    expect(siteRabbitPermissions('', 'a')).toEqual({
      configure: '^$',
      write: '^fedssd\\.site-updates$',
      read: '^fedssd\\.jobs\\.site\\.a$',
    });
  });
});

describe('RabbitMQ rules of the services', () => {
  it('when the aggregator declares and publishes, then it reaches every resource of its deployment and no other', () => {
    const a = aggregatorRabbitPermissions('prod');
    for (const name of ['prod.fedssd.jobs', 'prod.fedssd.site-updates', 'prod.fedssd.jobs.site.x'])
      expect(matches(a.configure, name), name).toBe(true);
    for (const name of ['test.fedssd.jobs', 'fedssd.jobs', 'amq.default']) expect(matches(a.configure, name), name).toBe(false);
    expect(matches(a.write, 'amq.default')).toBe(true);
  });

  it('when the api subscribes to events and sends commands, then it may use only server-named queues, the events fanout and the default exchange', () => {
    const a = apiRabbitPermissions('prod');
    expect(matches(a.configure, 'amq.gen-Xyz')).toBe(true);
    expect(matches(a.configure, 'prod.fedssd.control')).toBe(false);
    expect(matches(a.read, 'prod.fedssd.events')).toBe(true);
    expect(matches(a.read, 'prod.fedssd.site-updates')).toBe(false);
    expect(matches(a.write, 'amq.default')).toBe(true);
    expect(matches(a.write, 'prod.fedssd.site-updates')).toBe(false);
    expect(matches(a.write, 'prod.fedssd.dlx')).toBe(false);
  });
});

describe('Redis ACL rules', () => {
  it('when a site user is built, then it is reset first and holds exactly GET/SET/EXISTS on models, its target and its updates', () => {
    expect(siteRedisAcl('prod', 'clinic-1', 'pw')).toEqual([
      'reset',
      'on',
      '>pw',
      'resetkeys',
      'resetchannels',
      '-@all',
      '+get',
      '+set',
      '+exists',
      '+ping',
      '+hello',
      '+auth',
      '+client|setname',
      '+client|id',
      '%R~prod:fedssd:run:*:model:v*',
      '%R~prod:fedssd:run:*:site:clinic-1:target',
      '%RW~prod:fedssd:run:*:site:clinic-1:update:*',
    ]);
    expect(siteRedisAcl('', 'a', 'pw')).toContain('%RW~fedssd:run:*:site:a:update:*');
  });

  it('when the aggregator and api users are built, then the aggregator drops @dangerous and the api writes only run records and the index', () => {
    expect(aggregatorRedisAcl('prod', 'pw')).toEqual(expect.arrayContaining(['~prod:fedssd:*', '+@all', '-@dangerous', 'resetchannels']));
    const api = apiRedisAcl('prod', 'pw');
    expect(api.filter((r) => r.startsWith('~'))).toEqual(['~prod:fedssd:run:{*}', '~prod:fedssd:runs']);
    expect(api).not.toContain('+del');
    expect(api).toContain('%R~prod:fedssd:run:*:model:v*');
  });
});
