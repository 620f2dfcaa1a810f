import type { SiteLiveness, SiteRecord } from '@fedssd/protocol';
import { z } from 'zod';

/** One site as `GET /v1/sites` shows it: its enrolment and what the aggregator last heard from it. */
export const SiteStatusSchema = z.object({
  name: z.string(),
  state: z.enum(['pending', 'active', 'revoked']).describe('Enrolment state'),
  declaredSamples: z.number().int().describe('Most samples the site may report per update (set at enrolment)'),
  enrolledAt: z.string().nullable().describe('ISO-8601; null while pending'),
  revokedAt: z.string().nullable(),
  live: z.boolean().describe('Active and last heartbeat at most livenessWindowMs ago'),
  lastHeartbeatAt: z.string().nullable().describe('ISO-8601 time of the last heartbeat; null when none was received'),
  heartbeatAgeSeconds: z.number().nullable().describe('Seconds since the last heartbeat, at the time of the answer'),
  samples: z.number().int().nullable().describe('Samples the site reported in its last heartbeat (capped at declaredSamples)'),
  backend: z.string().nullable().describe('TensorFlow.js backend of the site trainer'),
  softwareVersion: z.string().nullable(),
  lastUpdate: z
    .object({ at: z.string(), runId: z.string().nullable(), round: z.number().int().nullable() })
    .nullable()
    .describe('The last accepted update: ISO-8601 time, run and round; null when none was accepted'),
});
export type SiteStatus = z.infer<typeof SiteStatusSchema>;

export const SiteListSchema = z.object({
  livenessWindowMs: z.number().int().describe('A site is live when its last heartbeat is at most this old (SITE_LIVENESS_MS)'),
  sites: z.array(SiteStatusSchema),
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A site's status at `nowMs`. Live means enrolled and active with a heartbeat at most `windowMs`
 * old: a revoked site is never live, even if its last heartbeat is recent. A heartbeat stamped
 * in the future (clock skew) counts as age 0.
 */
export function siteStatus(record: SiteRecord, liveness: SiteLiveness | null, nowMs: number, windowMs: number): SiteStatus {
  const age = liveness === null ? null : Math.max(0, nowMs - liveness.lastHeartbeatAt);
  return {
    name: record.name,
    state: record.state,
    declaredSamples: record.declaredSamples,
    enrolledAt: record.enrolledAt ?? null,
    revokedAt: record.revokedAt ?? null,
    live: record.state === 'active' && age !== null && age <= windowMs,
    lastHeartbeatAt: liveness === null ? null : iso(liveness.lastHeartbeatAt),
    heartbeatAgeSeconds: age === null ? null : age / 1000,
    samples: liveness?.samples ?? null,
    backend: liveness?.backend ?? null,
    softwareVersion: liveness?.softwareVersion ?? null,
    lastUpdate:
      liveness?.lastUpdateAt === undefined
        ? null
        : { at: iso(liveness.lastUpdateAt), runId: liveness.lastRunId ?? null, round: liveness.lastRound ?? null },
  };
}
