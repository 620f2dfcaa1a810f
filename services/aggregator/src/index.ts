// The aggregator's logic is the round machine (@fedssd/engine) and its driver (@fedssd/runtime);
// this package is the composition root (main.ts) and its environment schema.
export { AggregatorConfigSchema, type AggregatorConfig } from './config.js';
