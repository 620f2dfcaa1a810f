import { fenceKey, modelKey, runKey } from '@fedssd/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FencedWriteError, type BlobStore, type RunOwnershipStore, type StateStore } from '../src/index.js';
import { sleep } from './helpers.js';

/** What the ownership suite needs: the three stores over one backend, fresh per test. */
export interface OwnershipHarness {
  readonly ownership: RunOwnershipStore;
  readonly state: StateStore;
  readonly blobs: BlobStore;
  close(): Promise<void>;
}

/** Lease time of the suite: short, so lapses are real waits on both the fake and Redis. */
const TTL = 150;

/** One suite for run leases, fencing and inboxes, run against the fakes and against Redis. */
export function describeOwnershipConformance(name: string, factory: () => Promise<OwnershipHarness>): void {
  describe(`${name}: run ownership conformance`, () => {
    let h: OwnershipHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close();
    });

    it('when a run is free, then the first owner gets a token and others are refused until it lapses; then the token moves on', async () => {
      const a = await h.ownership.acquire('o1', 'replica-a', TTL);
      expect(a).toBeGreaterThanOrEqual(1);
      expect(await h.ownership.acquire('o1', 'replica-b', TTL)).toBeNull();
      expect(await h.ownership.acquire('o1', 'replica-a', TTL), 'the holder asking again keeps its token').toBe(a);
      expect(await h.ownership.holder('o1')).toMatchObject({ owner: 'replica-a', token: a });
      await sleep(TTL + 100);
      expect(await h.ownership.holder('o1')).toBeNull();
      const b = await h.ownership.acquire('o1', 'replica-b', TTL);
      expect(b).toBe((a as number) + 1);
      expect(await h.ownership.renew({ runId: 'o1', token: a as number }, 'replica-a', TTL), 'the former owner cannot renew').toBe(false);
      await h.ownership.release({ runId: 'o1', token: a as number }, 'replica-a');
      expect(await h.ownership.holder('o1'), "the former owner's release leaves the new lease").toMatchObject({
        owner: 'replica-b',
        token: b,
      });
    });

    it('when the owner renews in time, then the lease outlives its first term; after a lapse nobody used, renewing re-takes it', async () => {
      const token = (await h.ownership.acquire('o2', 'replica-a', TTL)) as number;
      await sleep(TTL / 2);
      expect(await h.ownership.renew({ runId: 'o2', token }, 'replica-a', TTL * 2)).toBe(true);
      await sleep(TTL);
      expect(await h.ownership.acquire('o2', 'replica-b', TTL)).toBeNull();
      await sleep(TTL * 2);
      expect(await h.ownership.renew({ runId: 'o2', token }, 'replica-a', TTL)).toBe(true);
      expect(await h.ownership.holder('o2')).toMatchObject({ owner: 'replica-a', token });
      await h.ownership.release({ runId: 'o2', token }, 'replica-a');
      expect(await h.ownership.holder('o2')).toBeNull();
    });

    it("when a former owner commits, writes a model or a spec with its stale token, then each is refused and the new owner's data stays", async () => {
      const old = (await h.ownership.acquire('o3', 'replica-a', TTL)) as number;
      await h.state.setJson(runKey('o3'), { seq: 1, by: 'start' });
      await sleep(TTL + 100);
      const current = (await h.ownership.acquire('o3', 'replica-b', 5_000)) as number;
      const writes = (by: string) => [{ key: runKey('o3'), value: { seq: 2, by } }];
      await expect(
        h.state.commitGuarded({ key: runKey('o3'), seq: 1 }, writes('a'), undefined, { runId: 'o3', token: old }),
      ).rejects.toThrow(FencedWriteError);
      await expect(h.blobs.putBlob(modelKey('o3', 1), new Uint8Array([1]), { fence: { runId: 'o3', token: old } })).rejects.toThrow(
        /run o3: writing .* refused: fencing token \d+ is stale/,
      );
      await expect(h.state.setJson('spec:o3', { by: 'a' }, { fence: { runId: 'o3', token: old } })).rejects.toThrow(FencedWriteError);
      await expect(h.state.appendEvent('o3', 'run.failed:-', '{}', { maxLen: 10, fence: { runId: 'o3', token: old } })).rejects.toThrow(
        FencedWriteError,
      );
      expect(await h.state.readEvents('o3', undefined, 10)).toEqual([]);
      expect(await h.state.appendEvent('o3', 'run.failed:-', '{}', { maxLen: 10, fence: { runId: 'o3', token: current } })).toMatch(/-/);
      expect(await h.state.getJson(runKey('o3'))).toEqual({ seq: 1, by: 'start' });
      expect(await h.blobs.getBlob(modelKey('o3', 1))).toBeNull();
      expect(await h.state.getJson('spec:o3')).toBeNull();
      // The current owner writes; an unfenced writer (the api) still goes through the seq guard alone.
      expect(await h.state.commitGuarded({ key: runKey('o3'), seq: 1 }, writes('b'), undefined, { runId: 'o3', token: current })).toBe(
        true,
      );
      expect(await h.blobs.putBlob(modelKey('o3', 1), new Uint8Array([2]), { fence: { runId: 'o3', token: current } })).toBe(true);
      expect(await h.state.commitGuarded({ key: runKey('o3'), seq: 2 }, writes('api'))).toBe(true);
      expect(Array.from((await h.blobs.getBlob(modelKey('o3', 1))) ?? [])).toEqual([2]);
      expect(await h.state.getJson(runKey('o3'))).toEqual({ seq: 2, by: 'api' });
      expect(await h.state.getJson<number>(fenceKey('o3'))).toBe(current);
    });

    it('when a fence is combined with nx or a TTL, then the write is refused as a usage error', async () => {
      await expect(h.blobs.putBlob('k', new Uint8Array([1]), { nx: true, fence: { runId: 'o4', token: 1 } })).rejects.toThrow(RangeError);
      await expect(h.state.setJson('k', 1, { ttlSeconds: 5, fence: { runId: 'o4', token: 1 } })).rejects.toThrow(RangeError);
    });

    it('when runs are marked active, then orphans are the active runs nobody holds', async () => {
      await h.ownership.markActive('o5');
      await h.ownership.markActive('o6');
      await h.ownership.acquire('o5', 'replica-a', 5_000);
      expect(await h.ownership.orphans()).toEqual(['o6']);
      await h.ownership.markEnded('o6');
      expect(await h.ownership.orphans()).toEqual([]);
    });

    it('when entries are forwarded to a run, then the owner reads them oldest first and only a current token removes them', async () => {
      await h.ownership.forward('o7', 'first');
      await h.ownership.forward('o7', 'second');
      expect(await h.ownership.peekForwarded('o7')).toBe('first');
      expect(await h.ownership.peekForwarded('o8')).toBeNull();
      const a = (await h.ownership.acquire('o7', 'replica-a', TTL)) as number;
      await h.ownership.popForwarded({ runId: 'o7', token: a });
      expect(await h.ownership.peekForwarded('o7')).toBe('second');
      await sleep(TTL + 100);
      await h.ownership.acquire('o7', 'replica-b', 5_000);
      await expect(h.ownership.popForwarded({ runId: 'o7', token: a })).rejects.toThrow(FencedWriteError);
      expect(await h.ownership.peekForwarded('o7')).toBe('second');
    });
  });
}
