export { loadConfig, FILE_SUFFIX, type Env, type LoadConfigOptions } from './load-config.js';
export { ConfigError } from './config-error.js';
export {
  envInt,
  envPort,
  envBool,
  envUrl,
  envUrlList,
  envEnum,
  envSecret,
  envString,
  envLogLevel,
  envSentinels,
  envSentinelName,
  sentinelFields,
  sentinelOption,
  LOG_LEVELS,
  type LogLevel,
} from './fields.js';
export { loadConfigOrExit, EXIT_CONFIG } from './load-config-or-exit.js';
export { tlsFileFields, readTlsFiles, type TlsMaterial, type ReadTlsOptions } from './tls-files.js';
