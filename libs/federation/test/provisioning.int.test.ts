import { DEFAULT_JOB_ATTEMPTS, federatedNames, siteRoutingKey, siteUserName } from '@fedssd/protocol';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FederationError, provisionSite, revokeSite } from '../src/index.js';
import { createFederationFixture, probeBroker, queueDepth, requireOrSkip, type FederationFixture } from './support.js';

const unavailable = await probeBroker();
requireOrSkip(unavailable, 'provisioning tests');

async function errorOf(promise: Promise<unknown>): Promise<FederationError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FederationError);
    return error as FederationError;
  }
  throw new Error('expected a FederationError');
}

describe.skipIf(unavailable !== undefined)('enrolling sites', () => {
  let f: FederationFixture;
  const cleanup: string[] = [];
  beforeAll(async () => {
    f = await createFederationFixture(['a']);
  });
  afterAll(async () => {
    for (const user of cleanup) await f?.ctx.rabbit.deleteUser(user);
    await f?.close();
  });

  it('when a site is enrolled, then its users, queue and active record exist and list shows it', async () => {
    const user = siteUserName(f.prefix, 'a');
    expect(await f.ctx.rabbit.hasUser(user)).toBe(true);
    expect(await f.ctx.acl.hasUser(user)).toBe(true);
    expect(await queueDepth(f.guest, `${f.prefix}.fedssd.jobs.site.a`)).toBe(0);
    expect(await f.ctx.registry.list()).toEqual([
      expect.objectContaining({ name: 'a', state: 'active', declaredSamples: 1000, user, enrolledAt: expect.any(String) }),
    ]);
  });

  it('when the same name is enrolled again, then it is refused as a duplicate and the first credentials keep working', async () => {
    const error = await errorOf(provisionSite(f.ctx, { name: 'a', declaredSamples: 5 }));
    expect(error.code).toBe('DUPLICATE');
    expect(error.message).toMatch(/^site a already exists \(enrolled .*\); site names are never reused: choose another name$/);
    expect((await f.ctx.registry.get('a'))?.declaredSamples).toBe(1000);
  });

  it.each([
    [
      { name: 'Bad_Name', declaredSamples: 1 },
      'site name must be 1-32 characters of [a-z0-9-], starting with a letter or digit (got "Bad_Name")',
    ],
    [{ name: 'ok', declaredSamples: 0 }, 'samples must be an integer between 1 and 100000000 (got 0)'],
    [{ name: 'ok', declaredSamples: 1.5 }, 'samples must be an integer between 1 and 100000000 (got 1.5)'],
  ])('when the input is %j, then it is refused naming the field and range, and nothing is created', async (input, message) => {
    const error = await errorOf(provisionSite(f.ctx, input));
    expect([error.code, error.message]).toEqual(['INVALID_INPUT', message]);
    expect(await f.ctx.registry.get('ok')).toBeNull();
    expect(await f.ctx.rabbit.hasUser(siteUserName(f.prefix, 'ok'))).toBe(false);
  });

  it('when a RabbitMQ user of that name exists without our record, then enrolment refuses to overwrite it and claims nothing', async () => {
    const user = siteUserName(f.prefix, 'taken');
    cleanup.push(user);
    await f.ctx.rabbit.putUser(user, 'someone-elses-password');
    const error = await errorOf(provisionSite(f.ctx, { name: 'taken', declaredSamples: 10 }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(`RabbitMQ user ${user} already exists but site taken is not enrolled in this deployment`);
    expect(await f.ctx.registry.get('taken')).toBeNull();
  });

  it('when an enrolment stopped half-way (record still pending), then running it again completes it', async () => {
    const user = siteUserName(f.prefix, 'resumed');
    cleanup.push(user);
    await f.ctx.registry.claim({ name: 'resumed', state: 'pending', declaredSamples: 10, user, createdAt: new Date().toISOString() });
    await f.ctx.rabbit.putUser(user, 'half-way'); // what the crashed attempt had created
    const { record, bundle } = await provisionSite(f.ctx, { name: 'resumed', declaredSamples: 10 });
    expect(record.state).toBe('active');
    expect(bundle.envFile).toContain(`RABBITMQ_URL=amqp://${user}:`);
    await revokeSite(f.ctx, 'resumed');
  });

  it('when a site keeps handing its job back, then the broker dead-letters it after the job attempts with reason delivery_limit', async () => {
    const names = federatedNames(f.prefix);
    const queue = names.siteJobQueue('a');
    const publisher = await f.aggregator.connection.publisherChannel();
    publisher.publish(names.siteJobsExchange, siteRoutingKey('a'), Buffer.from('{"job":"poison"}'), { persistent: true });
    // The site's own login: it may read its queue only; every delivery is returned (a trainer
    // that crashes on this job), and the broker, not our code, stops the loop.
    const site = await amqp.connect(f.sites.a!.amqpUrl);
    let deliveries = 0;
    try {
      const channel = await site.createChannel();
      await channel.prefetch(1);
      await channel.consume(queue, (msg) => {
        if (msg === null) return;
        deliveries += 1;
        channel.nack(msg, false, true);
      });
      const failures = await f.guest.createChannel();
      let dead: amqp.GetMessage | false = false;
      for (let i = 0; i < 100 && dead === false; i += 1) {
        dead = await failures.get(f.aggregator.connection.names.jobFailures, { noAck: true });
        if (dead === false) await new Promise((r) => setTimeout(r, 50));
      }
      expect(dead).not.toBe(false);
      const headers = (dead as amqp.GetMessage).properties.headers ?? {};
      expect([headers['x-first-death-reason'], headers['x-first-death-queue']]).toEqual(['delivery_limit', queue]);
      expect(deliveries).toBe(DEFAULT_JOB_ATTEMPTS);
      expect(await queueDepth(f.guest, queue)).toBe(0);
      await failures.close();
    } finally {
      await site.close().catch(() => {});
    }
  });

  it('when a revoked name is enrolled again, then it is refused: an old site key pattern must never match a new organisation', async () => {
    const error = await errorOf(provisionSite(f.ctx, { name: 'resumed', declaredSamples: 10 }));
    expect(error.code).toBe('DUPLICATE');
    expect(error.message).toMatch(/^site resumed already exists \(revoked .*\)/);
  });

  it('when an unknown site is revoked, then NOT_FOUND names it', async () => {
    const error = await errorOf(revokeSite(f.ctx, 'nobody'));
    expect([error.code, error.message]).toEqual(['NOT_FOUND', 'site nobody is not enrolled']);
  });
});
