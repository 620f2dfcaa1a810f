export * from './losses/index.js';
export * from './models/index.js';
export * from './augment/index.js';
export * from './train/index.js';
export * from './export/index.js';
