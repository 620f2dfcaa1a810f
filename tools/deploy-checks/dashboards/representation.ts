import type { DashboardSpec } from './grafana.js';

/**
 * Representation quality of each run's global model over time: kNN accuracy, uniformity,
 * effective rank, inter-client uniformity, and the collapse signals the alerts use. Runs of
 * different methods are compared by selecting their run ids together.
 */
export const representation: DashboardSpec = {
  uid: 'fedssd-representation',
  title: 'fedssd / Representation quality',
  description: 'Server-side evaluation of the global encoder after each evaluated round, per run. Select several runs (e.g. one per method) to compare them.',
  tags: ['fedssd'],
  variables: [{ name: 'run_id', label: 'Run', query: 'label_values(fedssd_knn_accuracy, run_id)' }],
  rows: [
    {
      title: 'Quality over rounds',
      panels: [
        { title: 'kNN accuracy', type: 'timeseries', unit: 'percentunit', min: 0, max: 1, queries: [{ expr: 'fedssd_knn_accuracy{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
        { title: 'Uniformity (higher is more uniform)', type: 'timeseries', queries: [{ expr: 'fedssd_uniformity{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
        { title: 'Effective rank', type: 'timeseries', queries: [{ expr: 'fedssd_effective_rank{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
        { title: 'Inter-client uniformity', type: 'timeseries', queries: [{ expr: 'fedssd_inter_client_uniformity{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
      ],
    },
    {
      title: 'Run comparison (latest evaluated round)',
      panels: [
        { title: 'kNN accuracy by run', type: 'bargauge', width: 6, instant: true, unit: 'percentunit', min: 0, max: 1, queries: [{ expr: 'fedssd_knn_accuracy{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
        { title: 'Uniformity by run', type: 'bargauge', width: 6, instant: true, queries: [{ expr: 'fedssd_uniformity{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
        { title: 'Effective rank by run', type: 'bargauge', width: 6, instant: true, queries: [{ expr: 'fedssd_effective_rank{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
        { title: 'Inter-client uniformity by run', type: 'bargauge', width: 6, instant: true, queries: [{ expr: 'fedssd_inter_client_uniformity{run_id=~"$run_id"}', legend: '{{run_id}}' }] },
      ],
    },
    {
      title: 'Collapse signals (as the alerts see them)',
      panels: [
        {
          title: 'Drop below the best of the last 2h',
          type: 'timeseries',
          unit: 'percentunit',
          description: 'FedssdEffectiveRankCollapse and FedssdUniformityCollapse fire above 30% once 3 rounds were evaluated in the window.',
          queries: [
            { expr: 'fedssd:effective_rank:drop_ratio2h{run_id=~"$run_id"}', legend: 'effective rank {{run_id}}' },
            { expr: 'fedssd:uniformity:drop_ratio2h{run_id=~"$run_id"}', legend: 'uniformity {{run_id}}' },
          ],
        },
        { title: 'Evaluations in the last 2h', type: 'timeseries', queries: [{ expr: 'changes(fedssd_effective_rank{run_id=~"$run_id"}[2h]) + 1', legend: '{{run_id}}' }] },
      ],
    },
  ],
};
