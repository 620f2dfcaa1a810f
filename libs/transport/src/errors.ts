/**
 * Thrown by a bus handler for a message that can never be handled (e.g. a well-formed update for
 * a run that does not exist): the message is dead-lettered instead of being retried.
 */
export class PoisonMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

/** Thrown when the broker or store cannot be reached within the allowed time. */
export class TransportUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportUnavailableError';
  }
}

/**
 * The broker refused to declare a queue because one of that name exists with other arguments:
 * a classic queue left by a release before quorum queues, or a different `FEDSSD_JOB_ATTEMPTS`.
 * Retrying cannot help, so services stop at start-up with this message.
 */
export class TopologyMismatchError extends TransportUnavailableError {
  constructor(
    readonly queue: string,
    brokerMessage: string,
    options?: { cause?: unknown },
  ) {
    const detail = /PRECONDITION_FAILED - (.*?)"?$/.exec(brokerMessage)?.[1] ?? brokerMessage;
    super(
      `queue ${queue} exists with other arguments (${detail}). A classic queue from an older release: stop the services and run ` +
        '`fedssd broker upgrade-queues` (docs/OPERATIONS.md, "Upgrade to quorum queues"); a different delivery limit: give every ' +
        'service the same FEDSSD_JOB_ATTEMPTS.',
      options,
    );
    this.name = 'TopologyMismatchError';
  }
}

/**
 * A write of a run's state or models was refused because the writer's fencing token is no
 * longer the run's current one: another aggregator replica took the run over. The writer must
 * stop driving the run; nothing it computed since then reaches the store.
 */
export class FencedWriteError extends Error {
  constructor(
    readonly runId: string,
    readonly token: number,
    what: string,
  ) {
    super(`run ${runId}: ${what} refused: fencing token ${token} is stale (another aggregator owns the run)`);
    this.name = 'FencedWriteError';
  }
}

/**
 * Redis answered with an older state than this process already wrote or read: the run record's
 * `seq` went down, a run or a model this process stored is gone, or a lease came with a fencing
 * token not above one seen before. That is what a failover to a replica that had not received the
 * newest writes looks like (asynchronous replication). Nothing is written on top of it.
 */
export class StateRolledBackError extends Error {
  constructor(
    readonly runId: string,
    readonly what: string,
  ) {
    super(`run ${runId}: Redis state rolled back (${what}); refusing to write over it`);
    this.name = 'StateRolledBackError';
  }
}
