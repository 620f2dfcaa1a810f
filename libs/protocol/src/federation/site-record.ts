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
