import type { DashboardSpec } from './grafana.js';

const SITE = 'site=~"$site"';

/**
 * Federated mode, one line per site: is it alive (heartbeats), how much data it claims, whether
 * its updates are accepted and how long it trains, and what it reports about the global model on
 * its own images (uniformity, effective rank, own-slice energy of DSR), so an operator sees which
 * site lags or collapses. Every series is exported by the aggregator (@fedssd/telemetry
 * site-metrics.ts), labelled by the site the broker authenticated.
 */
export const sites: DashboardSpec = {
  uid: 'fedssd-sites',
  title: 'fedssd / Sites',
  description:
    'Federated sites: liveness from heartbeats, declared samples, accepted and rejected updates, update age, local training time, and the label-free quality each site reports on its own images.',
  tags: ['fedssd', 'federation'],
  variables: [{ name: 'site', label: 'Site', query: 'label_values(fedssd_site_samples, site)' }],
  rows: [
    {
      title: 'Liveness',
      panels: [
        {
          title: 'Sites live (heartbeat within 30 s)',
          description: 'The api reports the same per site in GET /v1/sites (window SITE_LIVENESS_MS, default 30 s).',
          type: 'stat',
          width: 8,
          instant: true,
          queries: [{ expr: `sum((time() - fedssd_site_last_heartbeat_timestamp_seconds{${SITE}}) < bool 30)`, legend: 'live' }],
        },
        {
          title: 'Sites heard from',
          type: 'stat',
          width: 8,
          instant: true,
          queries: [{ expr: `count(fedssd_site_last_heartbeat_timestamp_seconds{${SITE}})`, legend: 'sites' }],
        },
        {
          title: 'Updates rejected in the last hour',
          type: 'stat',
          width: 8,
          instant: true,
          queries: [{ expr: `sum(increase(fedssd_site_updates_total{${SITE}, outcome="rejected"}[1h]))`, legend: 'rejected' }],
        },
        {
          title: 'Seconds since last heartbeat',
          description: 'A site whose line climbs has stopped sending heartbeats: its trainer is down, cut off, or revoked.',
          type: 'timeseries',
          unit: 's',
          queries: [{ expr: `time() - fedssd_site_last_heartbeat_timestamp_seconds{${SITE}}`, legend: '{{site}}' }],
        },
        {
          title: 'Samples per site (reported, capped at the enrolment)',
          type: 'bargauge',
          instant: true,
          queries: [{ expr: `fedssd_site_samples{${SITE}}`, legend: '{{site}}' }],
        },
      ],
    },
    {
      title: 'Updates',
      panels: [
        {
          title: 'Updates per site by outcome',
          type: 'timeseries',
          queries: [
            {
              expr: `sum by (site, outcome) (increase(fedssd_site_updates_total{${SITE}}[$__rate_interval]))`,
              legend: '{{site}} {{outcome}}',
            },
          ],
        },
        {
          title: 'Updates accepted and rejected (since the aggregator started)',
          type: 'bargauge',
          instant: true,
          queries: [{ expr: `sum by (site, outcome) (fedssd_site_updates_total{${SITE}})`, legend: '{{site}} {{outcome}}' }],
        },
        {
          title: 'Seconds since last accepted update',
          description: 'Lags behind the others: the site misses rounds (slow, down, or its updates are rejected).',
          type: 'timeseries',
          unit: 's',
          queries: [{ expr: `time() - fedssd_site_last_update_timestamp_seconds{${SITE}}`, legend: '{{site}}' }],
        },
        {
          title: 'Local training seconds (last accepted update)',
          type: 'timeseries',
          unit: 's',
          queries: [{ expr: `fedssd_site_train_seconds{${SITE}}`, legend: '{{site}}' }],
        },
      ],
    },
    {
      title: "Reported quality: the global model on each site's own images",
      panels: [
        {
          title: 'Uniformity per site (higher is more uniform)',
          description: 'A site whose value falls while the others hold sees the global model collapse on its own data.',
          type: 'timeseries',
          width: 8,
          queries: [{ expr: `fedssd_site_uniformity{${SITE}}`, legend: '{{site}}' }],
        },
        {
          title: 'Effective rank per site',
          type: 'timeseries',
          width: 8,
          queries: [{ expr: `fedssd_site_effective_rank{${SITE}}`, legend: '{{site}}' }],
        },
        {
          title: 'Own DSR slice energy per site',
          description:
            "Share of the site's projector embedding energy in its own DSR slice (SSD's mechanism check); an even spread gives m/d (about 1/K). No series for methods without DSR.",
          type: 'timeseries',
          width: 8,
          unit: 'percentunit',
          queries: [{ expr: `fedssd_site_own_slice_energy{${SITE}}`, legend: '{{site}}' }],
        },
      ],
    },
  ],
};
