import { describe, expect, it } from 'vitest';
import { formatZodError, methodObjective, RunConfigSchema } from '../src/index.js';

function problems(input: unknown): string[] {
  const result = RunConfigSchema.safeParse(input);
  if (result.success) return [];
  return formatZodError(result.error);
}

describe('RunConfigSchema', () => {
  it('when given nothing, then applies the method defaults (docs/METHOD.md §6)', () => {
    const config = RunConfigSchema.parse({});
    expect(config).toMatchObject({
      method: 'ssd',
      dataset: 'synthetic',
      model: 'small',
      clients: 10,
      alpha: 0.1,
      participation: 1,
      rounds: 100,
      localEpochs: 5,
      batchSize: 128,
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 1e-4,
      seed: 0,
      dsr: { coeff: 1, scale: 10, form: 'code' },
      pd: { coeff: 0.1, temperature: 0.5 },
      uniformity: 1,
      evalEvery: 1,
      graceMs: 5000,
      roundDeadlineMs: 1_800_000,
      autoAdvance: false,
    });
    expect(config.dsr.sliceSize).toBeUndefined();
    expect(config.minClients).toBeUndefined();
    expect(config.maxUpdateL2Norm).toBeUndefined();
  });

  it('when every field is given in range, then keeps them', () => {
    const input = {
      method: 'pd',
      dataset: 'cifar10',
      dataDir: '/data/cifar',
      model: 'resnet18',
      modelWidth: 0.25,
      clients: 1000,
      alpha: 0.5,
      participation: 0.2,
      rounds: 10_000,
      localEpochs: 1,
      batchSize: 2,
      lr: 0.01,
      momentum: 0,
      weightDecay: 0,
      seed: 0xffffffff,
      trainLimit: 500,
      dsr: { coeff: 0.5, scale: 3, sliceSize: 4, form: 'paper' },
      pd: { coeff: 1, temperature: 0.1 },
      uniformity: 0.5,
      evalEvery: 5,
      minClients: 3,
      graceMs: 0,
      roundDeadlineMs: 1000,
      autoAdvance: true,
      maxUpdateL2Norm: 100,
      mode: 'simulation',
      wirePrecision: 'fp16',
    };
    expect(RunConfigSchema.parse(input)).toEqual(input);
  });

  it('when a federated run names its sites and image shape, then they are kept; sites twice, no shape or bad names are refused by field', () => {
    const ok = RunConfigSchema.parse({
      mode: 'federated',
      sites: ['a', 'b-2'],
      inputShape: [28, 28, 1],
      siteOverrides: { a: { localEpochs: 2 } },
    });
    expect(ok).toMatchObject({ mode: 'federated', sites: ['a', 'b-2'], inputShape: [28, 28, 1], siteOverrides: { a: { localEpochs: 2 } } });
    const problems = (input: unknown) => {
      const r = RunConfigSchema.safeParse(input);
      return r.success ? [] : formatZodError(r.error);
    };
    expect(problems({ mode: 'federated', sites: ['a', 'a'] })).toEqual([
      "inputShape: is required when mode is 'federated': [height, width, channels] of the sites' images",
      'sites: must not name a site twice',
    ]);
    expect(problems({ mode: 'federated', inputShape: [28, 28, 1], sites: ['Bad_Name'] })[0]).toMatch(/^sites\.0: must be a site name/);
    expect(problems({ sites: ['a'], inputShape: [28, 28, 1] })).toEqual([
      "sites: only applies when mode is 'federated' (got mode 'simulation')",
      "inputShape: only applies when mode is 'federated' (got mode 'simulation')",
    ]);
    expect(problems({ mode: 'federated', inputShape: [28, 28, 1], siteOverrides: { a: { localEpochs: 0 } } })[0]).toMatch(
      /^siteOverrides\.a\.localEpochs: must be between 1 and 1000/,
    );
  });

  it.each([
    [{ clients: 0 }, 'clients: must be between 1 and 1000 (got 0)'],
    [{ clients: 1001 }, 'clients: must be between 1 and 1000 (got 1001)'],
    [{ clients: 2.5 }, 'clients: must be an integer between 1 and 1000 (got 2.5)'],
    [{ clients: '10' }, 'clients: must be an integer between 1 and 1000 (got "10")'],
    [{ method: 'fedprox' }, "method: must be one of 'baseline', 'dsr', 'pd', 'ssd' (got \"fedprox\")"],
    [{ dataset: 'imagenet' }, "dataset: must be one of 'synthetic', 'mnist', 'fashion-mnist', 'cifar10' (got \"imagenet\")"],
    [{ model: 'vit' }, "model: must be one of 'small', 'small-signed', 'resnet18' (got \"vit\")"],
    [{ modelWidth: 5 }, 'modelWidth: must be a number in (0, 4] (got 5)'],
    [{ alpha: 0 }, 'alpha: must be a number in (0, 1000000] (got 0)'],
    [{ participation: 0 }, 'participation: must be a number in (0, 1] (got 0)'],
    [{ participation: 1.5 }, 'participation: must be a number in (0, 1] (got 1.5)'],
    [{ rounds: 0 }, 'rounds: must be between 1 and 10000 (got 0)'],
    [{ localEpochs: 0 }, 'localEpochs: must be between 1 and 1000 (got 0)'],
    [{ batchSize: 1 }, 'batchSize: must be between 2 and 65536 (got 1)'],
    [{ lr: 0 }, 'lr: must be a number in (0, 100] (got 0)'],
    [{ momentum: 1 }, 'momentum: must be a number in [0, 1) (got 1)'],
    [{ weightDecay: -1 }, 'weightDecay: must be a number in [0, 1] (got -1)'],
    [{ seed: -1 }, 'seed: must be between 0 and 4294967295 (got -1)'],
    [{ seed: 2 ** 32 }, 'seed: must be between 0 and 4294967295 (got 4294967296)'],
    [{ trainLimit: 0 }, 'trainLimit: must be between 1 and 100000000 (got 0)'],
    [{ dsr: { scale: 0 } }, 'dsr.scale: must be a number in (0, 1000000] (got 0)'],
    [{ dsr: { coeff: -1 } }, 'dsr.coeff: must be a number in [0, 1000] (got -1)'],
    [{ dsr: { sliceSize: 0 } }, 'dsr.sliceSize: must be between 1 and 65536 (got 0)'],
    [{ dsr: { form: 'other' } }, "dsr.form: must be one of 'code', 'paper' (got \"other\")"],
    [{ pd: { temperature: 0 } }, 'pd.temperature: must be a number in (0, 100] (got 0)'],
    [{ pd: { coeff: -0.1 } }, 'pd.coeff: must be a number in [0, 1000] (got -0.1)'],
    [{ uniformity: -1 }, 'uniformity: must be a number in [0, 1000] (got -1)'],
    [{ evalEvery: 0 }, 'evalEvery: must be between 1 and 10000 (got 0)'],
    [{ minClients: 0 }, 'minClients: must be between 1 and 1000 (got 0)'],
    [{ clients: 5, minClients: 6 }, 'minClients: must be at most clients (5) (got 6)'],
    [{ graceMs: -1 }, 'graceMs: must be between 0 and 86400000 (got -1)'],
    [{ roundDeadlineMs: 10 }, 'roundDeadlineMs: must be between 1000 and 604800000 (got 10)'],
    [{ autoAdvance: 'true' }, 'autoAdvance: must be true or false (got "true")'],
    [{ maxUpdateL2Norm: 0 }, 'maxUpdateL2Norm: must be a number in (0, inf) (got 0)'],
    [{ dataDir: '' }, 'dataDir: must be a string of 1-4096 characters (got "")'],
  ])('when given %j, then the error names the field and the range', (input, expected) => {
    expect(problems(input)).toEqual([expected]);
  });

  it('when wirePrecision is given, then fp32, fp16 and int8 are kept (fp32 by default) and anything else is refused naming the choices', () => {
    expect(RunConfigSchema.parse({}).wirePrecision).toBe('fp32');
    for (const p of ['fp32', 'fp16', 'int8'] as const) expect(RunConfigSchema.parse({ wirePrecision: p }).wirePrecision).toBe(p);
    expect(problems({ wirePrecision: 'fp64' })).toEqual(["wirePrecision: must be one of 'fp32', 'fp16', 'int8' (got \"fp64\")"]);
  });

  it('when a key is misspelt, then it is rejected instead of silently defaulted', () => {
    const lines = problems({ client: 10 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\(root\): .*client/);
  });

  it('when several fields are wrong, then every problem is listed', () => {
    expect(problems({ clients: 0, lr: -1, dsr: { scale: -2 } })).toEqual([
      'clients: must be between 1 and 1000 (got 0)',
      'lr: must be a number in (0, 100] (got -1)',
      'dsr.scale: must be a number in (0, 1000000] (got -2)',
    ]);
  });

  it('when NaN or Infinity is given, then the number is rejected', () => {
    expect(problems({ lr: Number.NaN })).toEqual(['lr: must be a number in (0, 100] (got NaN)']);
    expect(problems({ maxUpdateL2Norm: Number.POSITIVE_INFINITY })).toHaveLength(1);
  });
});

describe('methodObjective', () => {
  it('maps each method to the SSD losses it switches on', () => {
    expect(methodObjective('baseline')).toEqual({ dsr: false, pd: false });
    expect(methodObjective('dsr')).toEqual({ dsr: true, pd: false });
    expect(methodObjective('pd')).toEqual({ dsr: false, pd: true });
    expect(methodObjective('ssd')).toEqual({ dsr: true, pd: true });
  });
});
