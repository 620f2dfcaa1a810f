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
