export { createLogger, type Logger, type LoggerConfig } from './logger.js';
export { redactUrlCredentials } from './redact.js';
export { createMetrics, METRIC_PREFIX, type Metrics, type MetricsOptions, type RunEvaluation, type RunLabels } from './metrics.js';
export { lintMetricNames, lintRegistry, type MetricDescriptor } from './lint-metrics.js';
export { Registry } from 'prom-client';
export { startOpsServer, type OpsServer } from './ops-server.js';
export { closeInOrder } from './close-in-order.js';
