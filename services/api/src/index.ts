export { buildApp, type AppDeps } from './app.js';
export { ApiConfigSchema, type ApiConfig } from './config.js';
export { ApiError, ERROR_CODES, ERROR_STATUS, type ErrorCode, type ErrorBody } from './errors.js';
export { createModelExporter } from './model-export.js';
export type { RunStore, CommandBus, ModelExporter, ExportedModel, ReadinessCheck, SiteDirectory, SiteAdmin, SiteBundle } from './ports.js';
