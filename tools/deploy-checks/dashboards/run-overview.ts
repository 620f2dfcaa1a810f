import type { DashboardSpec } from './grafana.js';

/** Rounds, round duration, participation, rejections, queue depth and training throughput. */
export const runOverview: DashboardSpec = {
  uid: 'fedssd-run-overview',
  title: 'fedssd / Run overview',
  description:
    'Federated rounds as they happen: closes by outcome, durations, trainer participation, rejected updates, job backlog and training throughput.',
  tags: ['fedssd'],
  rows: [
    {
      title: 'Now',
      panels: [
        {
          title: 'Rounds closed (all runs)',
          type: 'stat',
          width: 6,
          instant: true,
          queries: [{ expr: 'sum(fedssd_rounds_total)', legend: 'rounds' }],
        },
        {
          title: 'Jobs waiting',
          type: 'stat',
          width: 6,
          instant: true,
          queries: [{ expr: 'max(fedssd_queue_depth{queue="jobs"})', legend: 'jobs' }],
        },
        {
          title: 'Trainers up',
          type: 'stat',
          width: 6,
          instant: true,
          queries: [{ expr: 'count(up{job="fedssd-trainer"} == 1)', legend: 'trainers' }],
        },
        {
          title: 'Firing fedssd alerts',
          type: 'stat',
          width: 6,
          instant: true,
          queries: [{ expr: 'count(ALERTS{alertname=~"Fedssd.*", alertstate="firing"}) or vector(0)', legend: 'alerts' }],
        },
      ],
    },
    {
      title: 'Rounds',
      panels: [
        {
          title: 'Rounds closed by outcome (per 5 min)',
          type: 'timeseries',
          unit: 'short',
          queries: [{ expr: 'sum by (outcome) (increase(fedssd_rounds_total[5m]))', legend: '{{outcome}}' }],
        },
        {
          title: 'Round duration',
          type: 'timeseries',
          unit: 's',
          queries: [
            { expr: 'histogram_quantile(0.5, sum by (le) (rate(fedssd_round_duration_seconds_bucket[$__rate_interval])))', legend: 'p50' },
            { expr: 'histogram_quantile(0.9, sum by (le) (rate(fedssd_round_duration_seconds_bucket[$__rate_interval])))', legend: 'p90' },
            {
              expr: 'sum(rate(fedssd_round_duration_seconds_sum[$__rate_interval])) / sum(rate(fedssd_round_duration_seconds_count[$__rate_interval]))',
              legend: 'mean',
            },
          ],
        },
        {
          title: 'Participation: training jobs by outcome (per 5 min)',
          type: 'timeseries',
          description: 'Jobs the trainers finished, dropped as stale or failed; completed jobs are the clients that took part.',
          queries: [{ expr: 'sum by (outcome) (increase(fedssd_jobs_total[5m]))', legend: '{{outcome}}' }],
        },
        {
          title: 'Updates rejected by reason (per 5 min)',
          type: 'timeseries',
          queries: [{ expr: 'sum by (reason) (increase(fedssd_updates_rejected_total[5m]))', legend: '{{reason}}' }],
        },
      ],
    },
    {
      title: 'Work and throughput',
      panels: [
        {
          title: 'Job queue depth',
          type: 'timeseries',
          queries: [
            { expr: 'max by (queue) (fedssd_queue_depth)', legend: '{{queue}} (service gauge)' },
            { expr: 'sum by (queue) (rabbitmq_detailed_queue_messages_ready{queue=~".*fedssd.*"})', legend: '{{queue}} ready' },
            { expr: 'sum by (queue) (rabbitmq_detailed_queue_messages_unacked{queue=~".*fedssd.*"})', legend: '{{queue}} in training' },
          ],
        },
        {
          title: 'Training throughput',
          type: 'timeseries',
          unit: 'short',
          description: "Samples per second of each trainer's last job, and their sum.",
          queries: [
            { expr: 'sum(fedssd_training_samples_per_second)', legend: 'all trainers' },
            { expr: 'fedssd_training_samples_per_second', legend: '{{instance}}' },
          ],
        },
        {
          title: 'Local training time per job',
          type: 'timeseries',
          unit: 's',
          queries: [
            { expr: 'histogram_quantile(0.5, sum by (le) (rate(fedssd_local_training_seconds_bucket[$__rate_interval])))', legend: 'p50' },
            { expr: 'histogram_quantile(0.9, sum by (le) (rate(fedssd_local_training_seconds_bucket[$__rate_interval])))', legend: 'p90' },
          ],
        },
        {
          title: 'Update size',
          type: 'timeseries',
          unit: 'bytes',
          queries: [
            { expr: 'histogram_quantile(0.5, sum by (le) (rate(fedssd_update_bytes_bucket[$__rate_interval])))', legend: 'p50' },
            { expr: 'sum(rate(fedssd_update_bytes_sum[$__rate_interval]))', legend: 'bytes/s into the aggregator' },
          ],
        },
        {
          title: 'TF.js backend in use',
          type: 'table',
          width: 24,
          instant: true,
          queries: [{ expr: 'fedssd_backend_info == 1', legend: '{{service}} {{instance}}: {{backend}}' }],
        },
      ],
    },
  ],
};
