import { describe, expect, it } from 'vitest';

/** Who runs an attack: site A's bundle, or today's shared credentials on the same layout. */
export interface Attacker {
  readonly kind: 'site-a' | 'shared';
  readonly amqpUrl: string;
  readonly redisUrl: string;
}

/** One row of the threat model. */
export interface Threat {
  /** What a malicious site tries. */
  readonly name: string;
  /** Runs the attack; resolves to 'ok' or the engine's refusal text. */
  attack(who: Attacker): Promise<string>;
  /** The refusal site A must get (engine and rule). */
  readonly refusal: RegExp;
  /** After the shared-credential run: whether the attack took effect (read the secret, changed state). */
  tookEffect(): Promise<boolean>;
}

/**
 * Declares one test per threat in each of two blocks: with site A's credentials the engine
 * refuses and the whole observed state equals the seeded one; with today's shared credentials
 * the same attack works, which shows each hostile test can fail.
 */
export function describeThreats(
  threats: readonly Threat[],
  fixture: () => { siteA: Attacker; shared: Attacker; snapshot(): Promise<unknown>; seeded(): unknown },
): void {
  describe("with site A's credentials: refused by the engine, nothing changed", () => {
    for (const threat of threats) {
      it(`when site A tries to ${threat.name}, then the engine refuses it and nothing changes`, async () => {
        const f = fixture();
        const outcome = await threat.attack(f.siteA);
        expect(outcome).toMatch(threat.refusal);
        expect(await f.snapshot()).toEqual(f.seeded());
      });
    }
  });
  describe("with today's shared credentials (guest, default Redis user) on the same layout: the attack works", () => {
    for (const threat of threats) {
      it(`when the shared credentials are used to ${threat.name}, then it takes effect (so the test above can fail)`, async () => {
        const f = fixture();
        const outcome = await threat.attack(f.shared);
        expect(outcome).toBe('ok');
        expect(await threat.tookEffect()).toBe(true);
      });
    }
  });
}
