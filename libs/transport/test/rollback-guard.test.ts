import { runKey } from '@fedssd/protocol';
import { describe, expect, it } from 'vitest';
import {
  createInMemoryTransport,
  createRunRepository,
  guardOwnershipStore,
  guardRunRepository,
  StateRolledBackError,
} from '../src/index.js';
import { runRecord } from './run-repository-conformance.js';

/** A guarded repository, and a way to put Redis "back in time": overwrite the run record with an older copy. */
function setup() {
  const t = createInMemoryTransport();
  const repo = guardRunRepository(createRunRepository(t.state, t.blobs));
  const restore = (record: unknown) => t.state.setJson(runKey('r'), record);
  return { t, repo, restore };
}

describe('guardRunRepository', () => {
  it('when the run record comes back with a lower seq than this process wrote, then reading it throws StateRolledBackError', async () => {
    const { repo, restore } = setup();
    await repo.createRun(runRecord('r', '2026-01-01'));
    const old = await repo.getRun('r');
    const newer = await repo.commit(old!.seq ?? 0, { run: { ...old!, globalVersion: 1 }, rounds: [] });
    expect(newer?.seq).toBe((old!.seq ?? 0) + 1);
    expect((await repo.getRun('r'))?.globalVersion).toBe(1);
    await restore(old); // what a failover to a replica that missed the commit looks like
    await expect(repo.getRun('r')).rejects.toThrow(StateRolledBackError);
    await expect(repo.getRun('r')).rejects.toThrow(/run r: Redis state rolled back \(run record seq 0 < 1 already seen\)/);
    await expect(repo.updateRun('r', (r) => ({ ...r, status: 'stopping' }))).rejects.toThrow(StateRolledBackError);
    expect(await repo.listRuns().catch((e: Error) => e.name)).toBe('StateRolledBackError');
    // Once the newer state is back (an operator restored it), reads go on.
    await restore(newer);
    expect((await repo.getRun('r'))?.globalVersion).toBe(1);
  });

  it('when a run this process saw, or a model it stored, is gone, then reading it throws; models it never stored may be missing', async () => {
    const { t, repo } = setup();
    await repo.createRun(runRecord('r', '2026-01-01'));
    await repo.getRun('r');
    await repo.putModel('r', 1, new Uint8Array([1]));
    expect(await repo.getModel('r', 2)).toBeNull();
    await t.blobs.delete(['fedssd:run:{r}:model:v1']);
    await expect(repo.getModel('r', 1)).rejects.toThrow(/model v1, stored by this process, is gone/);
    await t.state.delete([runKey('r')]);
    await expect(repo.getRun('r')).rejects.toThrow(/the run record is gone/);
  });

  it('when the record only moves forward (other writers included), then nothing is refused', async () => {
    const { t, repo } = setup();
    await repo.createRun(runRecord('r', '2026-01-01'));
    await repo.getRun('r');
    const other = createRunRepository(t.state, t.blobs); // the api, another replica
    await other.updateRun('r', (r) => ({ ...r, status: 'stopping' }));
    expect((await repo.getRun('r'))?.status).toBe('stopping');
  });
});

describe('guardOwnershipStore', () => {
  it('when a lease comes with a fencing token not above one seen before, then acquire throws; re-taking its own lease does not', async () => {
    const t = createInMemoryTransport();
    const store = guardOwnershipStore(t.ownership);
    const token = (await store.acquire('r', 'a', 60_000))!;
    expect(await store.acquire('r', 'a', 60_000)).toBe(token); // its own lease, same token
    await store.release({ runId: 'r', token }, 'a');
    t.state.setFenceToken('r', token - 1); // the fence counter lost an INCR
    await expect(store.acquire('r', 'a', 60_000)).rejects.toThrow(/fencing token \d+ handed out again/);
  });
});
