export { createModel, type SslModel } from './model.js';
export { defaultSpec, resolveSpec, type ModelKind, type ModelSpec } from './spec.js';
