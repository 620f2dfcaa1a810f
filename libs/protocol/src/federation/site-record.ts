import { z } from 'zod';
import { intBetween } from '../fields.js';
import { SITE_NAME_PATTERN } from './site-names.js';

/** Most samples a site may declare at enrolment (caps the FedAvg weight it can claim). */
export const MAX_DECLARED_SAMPLES = 100_000_000;

/**
 * Enrolment record of a site, kept at `siteRecordKey(name)`. `state` is `pending` while
 * provisioning runs (a crashed enrolment can be resumed), `active` once the credentials were
 * handed out, `revoked` after revocation (the name stays taken: see docs/FEDERATION.md).
 */
export const SiteRecordSchema = z.object({
  name: z.string().regex(SITE_NAME_PATTERN),
  state: z.enum(['pending', 'active', 'revoked']),
  /** Upper bound on the sample count the site may report with an update (its FedAvg weight). */
  declaredSamples: intBetween(1, MAX_DECLARED_SAMPLES),
  /** The broker and Redis user of the site. */
  user: z.string().min(1),
  /** ISO-8601 times. */
  createdAt: z.string(),
  enrolledAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type SiteRecord = z.infer<typeof SiteRecordSchema>;

/**
 * Liveness of a site as the aggregator last saw it (at `siteLivenessKey(name)`), from the site's
 * heartbeats and updates. `samples` is already capped at the enrolment's declared count.
 */
export const SiteLivenessSchema = z.object({
  site: z.string().regex(SITE_NAME_PATTERN),
  /** Epoch ms of the last heartbeat. */
  lastHeartbeatAt: z.number().int().min(0),
  samples: z.number().int().min(0),
  backend: z.string(),
  softwareVersion: z.string(),
  /** Epoch ms, run and round of the last accepted update. */
  lastUpdateAt: z.number().int().min(0).optional(),
  lastRunId: z.string().optional(),
  lastRound: z.number().int().min(1).optional(),
});
export type SiteLiveness = z.infer<typeof SiteLivenessSchema>;
