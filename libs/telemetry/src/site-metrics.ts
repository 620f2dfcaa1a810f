import type { SiteMetrics } from '@fedssd/protocol';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The per-site series of federated mode (aggregator): which site is alive, lags, or collapses. */
export function createSiteMetrics(registers: Registry[]) {
  const lastHeartbeat = new Gauge({
    name: 'fedssd_site_last_heartbeat_timestamp_seconds',
    help: 'Unix time of the last heartbeat the aggregator received from a site.',
    labelNames: ['site'] as const,
    registers,
  });
  const declaredSamples = new Gauge({
    name: 'fedssd_site_samples',
    help: 'Samples a site reports holding (capped at its enrolment declaration).',
    labelNames: ['site'] as const,
    registers,
  });
  const updatesTotal = new Counter({
    name: 'fedssd_site_updates_total',
    help: 'Updates received from a site, by outcome (accepted, rejected).',
    labelNames: ['site', 'outcome'] as const,
    registers,
  });
  const lastUpdate = new Gauge({
    name: 'fedssd_site_last_update_timestamp_seconds',
    help: 'Unix time of the last update accepted from a site.',
    labelNames: ['site'] as const,
    registers,
  });
  const trainSeconds = new Gauge({
    name: 'fedssd_site_train_seconds',
    help: 'Local training seconds of the last accepted update of a site.',
    labelNames: ['site'] as const,
    registers,
  });
  const uniformity = new Gauge({
    name: 'fedssd_site_uniformity',
    help: 'Uniformity (-U) of the global model on a site own images, as the site reported it.',
    labelNames: ['site'] as const,
    registers,
  });
  const effectiveRank = new Gauge({
    name: 'fedssd_site_effective_rank',
    help: 'Effective rank of the global model on a site own images, as the site reported it.',
    labelNames: ['site'] as const,
    registers,
  });
  const ownSliceEnergy = new Gauge({
    name: 'fedssd_site_own_slice_energy',
    help: 'Share of a site embedding energy in its own DSR slice, as the site reported it.',
    labelNames: ['site'] as const,
    registers,
  });
  const reported = [uniformity, effectiveRank, ownSliceEnergy];
  return {
    /** A heartbeat: the site is alive and holds `samples`. */
    heartbeat(site: string, atMs: number, samples: number): void {
      lastHeartbeat.set({ site }, atMs / 1000);
      declaredSamples.set({ site }, samples);
      for (const outcome of ['accepted', 'rejected'] as const) updatesTotal.inc({ site, outcome }, 0);
    },
    /** An update of the site was accepted (with what it measured) or rejected. */
    update(site: string, outcome: 'accepted' | 'rejected', detail?: { atMs: number; trainSeconds: number; metrics?: SiteMetrics }): void {
      updatesTotal.inc({ site, outcome });
      if (outcome !== 'accepted' || detail === undefined) return;
      lastUpdate.set({ site }, detail.atMs / 1000);
      trainSeconds.set({ site }, detail.trainSeconds);
      const values = [detail.metrics?.uniformity, detail.metrics?.effectiveRank, detail.metrics?.ownSliceEnergy];
      reported.forEach((gauge, i) => {
        const value = values[i];
        if (value === null || value === undefined || !Number.isFinite(value)) gauge.remove({ site });
        else gauge.set({ site }, value);
      });
    },
    /** A revoked or forgotten site: its series go. */
    forget(site: string): void {
      for (const gauge of [lastHeartbeat, declaredSamples, lastUpdate, trainSeconds, ...reported]) gauge.remove({ site });
      for (const outcome of ['accepted', 'rejected'] as const) updatesTotal.remove({ site, outcome });
    },
  };
}

export type SiteSeries = ReturnType<typeof createSiteMetrics>;
