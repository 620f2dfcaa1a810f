export * from './site-names.js';
export * from './site-keys.js';
export * from './site-record.js';
export * from './site-messages.js';
export * from './attribute.js';
