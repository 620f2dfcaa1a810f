import type { DashboardSpec } from './grafana.js';

/** RabbitMQ (rabbitmq_prometheus), Redis (redis_exporter) and the Node processes of every service. */
export const infrastructure: DashboardSpec = {
  uid: 'fedssd-infrastructure',
  title: 'fedssd / Infrastructure',
  description: 'Broker, store and service processes under the fedssd run.',
  tags: ['fedssd'],
  rows: [
    {
      title: 'Targets',
      panels: [
        {
          title: 'Scrape targets up',
          type: 'bargauge',
          width: 24,
          instant: true,
          min: 0,
          max: 1,
          queries: [{ expr: 'up', legend: '{{job}} {{instance}}' }],
        },
      ],
    },
    {
      title: 'RabbitMQ',
      panels: [
        {
          title: 'Messages per queue',
          type: 'timeseries',
          queries: [
            { expr: 'sum by (queue) (rabbitmq_detailed_queue_messages_ready)', legend: '{{queue}} ready' },
            { expr: 'sum by (queue) (rabbitmq_detailed_queue_messages_unacked)', legend: '{{queue}} unacked' },
          ],
        },
        {
          title: 'Consumers per queue',
          type: 'timeseries',
          queries: [{ expr: 'sum by (queue) (rabbitmq_detailed_queue_consumers)', legend: '{{queue}}' }],
        },
        {
          title: 'Message rates',
          type: 'timeseries',
          unit: 'ops',
          queries: [
            { expr: 'sum(rate(rabbitmq_global_messages_received_total[$__rate_interval]))', legend: 'published' },
            { expr: 'sum(rate(rabbitmq_global_messages_delivered_total[$__rate_interval]))', legend: 'delivered' },
            { expr: 'sum(rate(rabbitmq_global_messages_acknowledged_total[$__rate_interval]))', legend: 'acknowledged' },
            { expr: 'sum(rate(rabbitmq_global_messages_redelivered_total[$__rate_interval]))', legend: 'redelivered' },
            { expr: 'sum(rate(rabbitmq_global_messages_dead_lettered_rejected_total[$__rate_interval]))', legend: 'dead-lettered' },
          ],
        },
        {
          title: 'Connections, channels, memory',
          type: 'timeseries',
          queries: [
            { expr: 'sum(rabbitmq_connections)', legend: 'connections' },
            { expr: 'sum(rabbitmq_channels)', legend: 'channels' },
          ],
        },
        {
          title: 'RabbitMQ memory',
          type: 'timeseries',
          unit: 'bytes',
          queries: [{ expr: 'rabbitmq_process_resident_memory_bytes', legend: '{{instance}}' }],
        },
      ],
    },
    {
      title: 'Redis',
      panels: [
        {
          title: 'Redis memory',
          type: 'timeseries',
          unit: 'bytes',
          queries: [
            { expr: 'redis_memory_used_bytes', legend: 'used' },
            { expr: 'redis_memory_max_bytes', legend: 'max' },
          ],
        },
        {
          title: 'Redis commands',
          type: 'timeseries',
          unit: 'ops',
          queries: [{ expr: 'sum(rate(redis_commands_processed_total[$__rate_interval]))', legend: 'commands/s' }],
        },
        {
          title: 'Redis clients and keys',
          type: 'timeseries',
          queries: [
            { expr: 'redis_connected_clients', legend: 'clients' },
            { expr: 'sum(redis_db_keys)', legend: 'keys' },
          ],
        },
        {
          title: 'Redis up and last save',
          type: 'stat',
          width: 12,
          instant: true,
          queries: [
            { expr: 'redis_up', legend: 'up' },
            { expr: 'time() - redis_rdb_last_save_timestamp_seconds', legend: 'seconds since last save' },
          ],
        },
      ],
    },
    {
      title: 'Service processes',
      panels: [
        {
          title: 'Resident memory',
          type: 'timeseries',
          unit: 'bytes',
          queries: [{ expr: 'process_resident_memory_bytes{job=~"fedssd-.+"}', legend: '{{job}} {{instance}}' }],
        },
        {
          title: 'CPU',
          type: 'timeseries',
          unit: 'percentunit',
          queries: [{ expr: 'rate(process_cpu_seconds_total{job=~"fedssd-.+"}[$__rate_interval])', legend: '{{job}} {{instance}}' }],
        },
        {
          title: 'Event loop lag p99',
          type: 'timeseries',
          unit: 's',
          queries: [{ expr: 'nodejs_eventloop_lag_p99_seconds{job=~"fedssd-.+"}', legend: '{{job}} {{instance}}' }],
        },
        {
          title: 'Heap used',
          type: 'timeseries',
          unit: 'bytes',
          queries: [{ expr: 'nodejs_heap_size_used_bytes{job=~"fedssd-.+"}', legend: '{{job}} {{instance}}' }],
        },
        {
          title: 'Failed jobs (dead-lettered by the broker)',
          type: 'timeseries',
          queries: [{ expr: 'sum by (reason) (increase(fedssd_job_failures_total[$__rate_interval]))', legend: '{{reason}}' }],
        },
        {
          title: 'Aggregator run ownership',
          type: 'timeseries',
          queries: [
            { expr: 'sum by (event, instance) (increase(fedssd_run_ownership_total[$__rate_interval]))', legend: '{{instance}} {{event}}' },
          ],
        },
        {
          title: 'API requests by route and status',
          type: 'timeseries',
          unit: 'reqps',
          width: 24,
          queries: [
            { expr: 'sum by (route, status) (rate(fedssd_http_requests_total[$__rate_interval]))', legend: '{{route}} {{status}}' },
          ],
        },
      ],
    },
  ],
};
