/**
 * Thrown by {@link loadConfig} when the environment does not satisfy the service's schema.
 * `problems` lists every problem, one `NAME: message` line each, so an operator fixes them all
 * in one go instead of one restart per typo.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;

  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`, options);
    this.name = 'ConfigError';
  }
}
