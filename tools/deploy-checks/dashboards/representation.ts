import type { DashboardSpec } from './grafana.js';

/**
 * Representation quality of each run's global model over time: kNN accuracy, uniformity,
 * effective rank, inter-client uniformity, and the collapse signals the alerts use. Every series
 * carries `run_id` and `method`: runs are filtered by both, and methods compared by their mean.
 */
export const representation: DashboardSpec = {
  uid: 'fedssd-representation',
  title: 'fedssd / Representation quality',
  description: 'Server-side evaluation of the global encoder after each evaluated round, per run and per method (baseline, dsr, pd, ssd).',
  tags: ['fedssd'],
  variables: [
    { name: 'method', label: 'Method', query: 'label_values(fedssd_knn_accuracy, method)' },
    { name: 'run_id', label: 'Run', query: 'label_values(fedssd_knn_accuracy{method=~"$method"}, run_id)' },
  ],
  rows: [
    {
      title: 'Quality over rounds',
      panels: [
        {
          title: 'kNN accuracy',
          type: 'timeseries',
          unit: 'percentunit',
          min: 0,
          max: 1,
          queries: [{ expr: 'fedssd_knn_accuracy{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
        {
          title: 'Uniformity (higher is more uniform)',
          type: 'timeseries',
          queries: [{ expr: 'fedssd_uniformity{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
        {
          title: 'Effective rank',
          type: 'timeseries',
          queries: [{ expr: 'fedssd_effective_rank{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
        {
          title: 'Inter-client uniformity',
          type: 'timeseries',
          queries: [{ expr: 'fedssd_inter_client_uniformity{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
      ],
    },
    {
      title: 'Run comparison (latest evaluated round)',
      panels: [
        {
          title: 'kNN accuracy by run',
          type: 'bargauge',
          width: 6,
          instant: true,
          unit: 'percentunit',
          min: 0,
          max: 1,
          queries: [{ expr: 'fedssd_knn_accuracy{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
        {
          title: 'Uniformity by run',
          type: 'bargauge',
          width: 6,
          instant: true,
          queries: [{ expr: 'fedssd_uniformity{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
        {
          title: 'Effective rank by run',
          type: 'bargauge',
          width: 6,
          instant: true,
          queries: [{ expr: 'fedssd_effective_rank{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
        {
          title: 'Inter-client uniformity by run',
          type: 'bargauge',
          width: 6,
          instant: true,
          queries: [{ expr: 'fedssd_inter_client_uniformity{method=~"$method", run_id=~"$run_id"}', legend: '{{method}} {{run_id}}' }],
        },
      ],
    },
    {
      title: 'Method comparison (mean over the selected runs, latest evaluated round)',
      panels: [
        {
          title: 'kNN accuracy by method',
          type: 'bargauge',
          width: 6,
          instant: true,
          unit: 'percentunit',
          min: 0,
          max: 1,
          queries: [{ expr: 'avg by (method) (fedssd_knn_accuracy{method=~"$method", run_id=~"$run_id"})', legend: '{{method}}' }],
        },
        {
          title: 'Uniformity by method',
          type: 'bargauge',
          width: 6,
          instant: true,
          queries: [{ expr: 'avg by (method) (fedssd_uniformity{method=~"$method", run_id=~"$run_id"})', legend: '{{method}}' }],
        },
        {
          title: 'Effective rank by method',
          type: 'bargauge',
          width: 6,
          instant: true,
          queries: [{ expr: 'avg by (method) (fedssd_effective_rank{method=~"$method", run_id=~"$run_id"})', legend: '{{method}}' }],
        },
        {
          title: 'Inter-client uniformity by method',
          type: 'bargauge',
          width: 6,
          instant: true,
          queries: [
            { expr: 'avg by (method) (fedssd_inter_client_uniformity{method=~"$method", run_id=~"$run_id"})', legend: '{{method}}' },
          ],
        },
      ],
    },
    {
      title: 'Collapse signals (as the alerts see them)',
      panels: [
        {
          title: 'Drop below the best of the last 2h',
          type: 'timeseries',
          unit: 'percentunit',
          description:
            'FedssdEffectiveRankCollapse and FedssdUniformityCollapse fire above 30% once 3 rounds were evaluated in the window.',
          queries: [
            { expr: 'fedssd:effective_rank:drop_ratio2h{method=~"$method", run_id=~"$run_id"}', legend: 'effective rank {{run_id}}' },
            { expr: 'fedssd:uniformity:drop_ratio2h{method=~"$method", run_id=~"$run_id"}', legend: 'uniformity {{run_id}}' },
          ],
        },
        {
          title: 'Evaluations in the last 2h',
          type: 'timeseries',
          queries: [
            { expr: 'changes(fedssd_effective_rank{method=~"$method", run_id=~"$run_id"}[2h]) + 1', legend: '{{method}} {{run_id}}' },
          ],
        },
      ],
    },
  ],
};
