/** Argument checks and JSON encoding shared by every adapter, so fakes and real adapters fail alike. */

/** Prefetch must be a positive integer; RabbitMQ's limit is 65535. */
export function checkPrefetch(prefetch: number): number {
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65_535) {
    throw new RangeError(`prefetch must be an integer between 1 and 65535 (got ${String(prefetch)})`);
  }
  return prefetch;
}

/** TTLs must be positive whole seconds, as Redis EX requires. */
export function checkTtl(ttlSeconds: number | undefined): void {
  if (ttlSeconds === undefined) return;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new RangeError(`ttlSeconds must be a positive integer (got ${String(ttlSeconds)})`);
  }
}

/** JSON.stringify that refuses values JSON cannot carry, instead of silently storing `undefined`. */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`value is not JSON-serialisable (got ${typeof value})`);
  return text;
}

/** A fenced write is a plain overwrite guarded by the token: NX and TTLs do not combine with it. */
export function checkFenced(opts: { nx?: boolean; ttlSeconds?: number; fence?: unknown }): void {
  if (opts.fence !== undefined && (opts.nx === true || opts.ttlSeconds !== undefined)) {
    throw new RangeError('fence cannot be combined with nx or ttlSeconds');
  }
}
