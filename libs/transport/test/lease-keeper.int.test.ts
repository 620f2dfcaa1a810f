import { randomUUID } from 'node:crypto';
import { leaseKey } from '@fedssd/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisStores, createWorkerLeaseKeeper, type Fence, type LeaseKeeper, type RedisStores } from '../src/index.js';
import { waitFor } from './helpers.js';
import { probeServices, REDIS_URL } from './real-harness.js';

const unavailable = await probeServices();
if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`CI=true and the real services do not answer: ${unavailable}`);

const TTL = 600;

/** Keeps the main thread busy, as a long evaluation or fold does (no timer can fire meanwhile). */
function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

describe.skipIf(unavailable !== undefined)('lease keeper (worker thread, real Redis)', () => {
  let stores: RedisStores;
  let keeper: LeaseKeeper | undefined;
  let keyPrefix = '';
  const open = async () => {
    keyPrefix = `test-keeper-${randomUUID().slice(0, 8)}:`;
    stores = await createRedisStores({ url: REDIS_URL, keyPrefix });
    keeper = createWorkerLeaseKeeper({ url: REDIS_URL, keyPrefix, owner: 'replica-a', ttlMs: TTL });
    return keeper;
  };
  afterEach(async () => {
    await keeper?.close();
    await stores?.deleteAll();
    await stores?.close();
  });

  it('when the main thread is blocked for five lease terms, then the worker keeps the lease and nobody else can take the run', async () => {
    const k = await open();
    const token = (await stores.ownership.acquire('w1', 'replica-a', TTL)) as number;
    k.keep({ runId: 'w1', token });
    blockFor(TTL * 5);
    expect(await stores.ownership.acquire('w1', 'replica-b', TTL)).toBeNull();
    expect(await stores.ownership.holder('w1')).toMatchObject({ owner: 'replica-a', token });
  });

  it('when a dropped lease is left alone, then it lapses and another owner takes it', async () => {
    const k = await open();
    const token = (await stores.ownership.acquire('w2', 'replica-a', TTL)) as number;
    k.keep({ runId: 'w2', token });
    k.drop('w2');
    const next = await waitFor(async () => (await stores.ownership.acquire('w2', 'replica-b', TTL)) ?? undefined, 5_000, 'lapse');
    expect(next).toBe(token + 1);
  });

  it('when another owner takes the run, then the keeper reports that lease lost once, with its token', async () => {
    const k = await open();
    const lost: Fence[] = [];
    k.onLost((fence) => void lost.push(fence));
    const token = (await stores.ownership.acquire('w3', 'replica-a', TTL)) as number;
    k.keep({ runId: 'w3', token });
    // A partition on our side: the lease key vanished and replica-b took the run meanwhile.
    await stores.redis.del(`${keyPrefix}${leaseKey('w3')}`);
    await stores.ownership.acquire('w3', 'replica-b', 5_000);
    await waitFor(() => lost.length === 1, 5_000, 'lost lease');
    expect(lost).toEqual([{ runId: 'w3', token }]);
  });
});
