export type * from './ports.js';
export { FencedWriteError, PoisonMessageError, StateRolledBackError, TopologyMismatchError, TransportUnavailableError } from './errors.js';
export { guardOwnershipStore, guardRunRepository } from './runs/rollback-guard.js';
export {
  dispatchBusMessage,
  dispatchJob,
  dispatchJobFailure,
  type DeathHeaders,
  type InvalidMessageListener,
  type RawSettler,
} from './dispatch.js';
export { InMemoryBroker, type InMemoryBrokerOptions } from './memory/in-memory-broker.js';
export { InMemoryJobQueue } from './memory/in-memory-job-queue.js';
export { InMemoryEventBus } from './memory/in-memory-event-bus.js';
export { InMemoryBlobStore } from './memory/in-memory-blob-store.js';
export { InMemoryStateStore, type StateSnapshot } from './memory/in-memory-state-store.js';
export { InMemoryOwnershipStore } from './memory/in-memory-ownership-store.js';
export { createInMemoryTransport, type InMemoryTransport } from './memory/create-in-memory-transport.js';
export { AmqpConnection } from './rabbitmq/amqp-connection.js';
export { AmqpJobQueue } from './rabbitmq/amqp-job-queue.js';
export { AmqpEventBus } from './rabbitmq/amqp-event-bus.js';
export { createAmqpTransport, type AmqpTransport } from './rabbitmq/create-amqp-transport.js';
export type { AmqpOptions } from './rabbitmq/options.js';
export { brokerEndpoints, endpointLabel } from './rabbitmq/endpoints.js';
export { RedisBlobStore } from './redis/redis-blob-store.js';
export { RedisStateStore } from './redis/redis-state-store.js';
export { RedisOwnershipStore } from './redis/redis-ownership-store.js';
export { createRedisStores, type RedisStoreOptions, type RedisStores } from './redis/create-redis-stores.js';
export {
  createRunRepository,
  EVENTS_MAX_LEN,
  RunNotFoundError,
  type RunEvent,
  type RunRepository,
  type TransitionWrites,
} from './runs/run-repository.js';
export type { TlsOptions } from './tls.js';
export { createAmqpSiteTransport, type AmqpSiteOptions, type AmqpSiteTransport } from './rabbitmq/amqp-site-transport.js';
export { subscribeSiteMessages } from './rabbitmq/amqp-site-updates.js';
export {
  dispatchSiteMessage,
  type SiteDelivery,
  type SiteMessageHandler,
  type RejectedSiteMessageListener,
} from './site/dispatch-site-message.js';
export { AmqpSiteJobPublisher } from './rabbitmq/amqp-site-jobs.js';
export { upgradeQueuesToQuorum, HOLDING_SUFFIX, type QueueUpgrade, type UpgradeQueuesOptions } from './rabbitmq/upgrade-queues.js';
export { createWorkerLeaseKeeper, type WorkerLeaseKeeperOptions } from './redis/worker-lease-keeper.js';
export { createSiteDirectory, CorruptSiteRecordError, type SiteDirectory } from './sites/site-directory.js';
export { compareEventIds, isEventId, EVENT_DEDUPE_WINDOW } from './event-ids.js';
export { checkSentinelName, redisConnectionOptions, type SentinelAddress, type SentinelOptions } from './redis/redis-connection.js';
