/** How many of a run's newest events `appendEvent` checks for a redone one (effects are redone only right after they ran). */
export const EVENT_DEDUPE_WINDOW = 16;

/** A Redis stream entry id as the event log uses it: `<ms>-<seq>`, both decimal integers. */
export const EVENT_ID = /^(\d{1,20})-(\d{1,20})$/;

/** Whether `text` is a well-formed event id (the api checks `Last-Event-ID` with it before it reaches Redis). */
export function isEventId(text: string): boolean {
  return EVENT_ID.test(text);
}

/** Orders two event ids as Redis does (by time part, then sequence); BigInt because both parts are 64-bit. */
export function compareEventIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

function parts(id: string): [bigint, bigint] {
  const m = EVENT_ID.exec(id);
  if (m === null) throw new RangeError(`event id must look like <ms>-<seq> (got ${JSON.stringify(id)})`);
  return [BigInt(m[1] ?? '0'), BigInt(m[2] ?? '0')];
}
