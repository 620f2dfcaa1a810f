export { FederationError, type FederationErrorCode } from './errors.js';
export {
  siteRabbitPermissions,
  siteTopicPermissions,
  aggregatorRabbitPermissions,
  apiRabbitPermissions,
  type RabbitPermissions,
  type RabbitTopicPermissions,
} from './rules/rabbit-rules.js';
export { siteRedisAcl, aggregatorRedisAcl, apiRedisAcl, redisKeyPrefix, sentinelLoginAcl } from './rules/redis-rules.js';
export { RabbitManagement, type RabbitManagementOptions } from './admin/rabbit-management.js';
export { RedisAclAdmin } from './admin/redis-admin.js';
export { SiteRegistry } from './admin/site-registry.js';
export type { AdminContext } from './provision/admin-context.js';
export { provisionSite, siteJobQueueArguments, type ProvisionSiteInput, type ProvisionedSite } from './provision/provision-site.js';
export { revokeSite, type RevokedSite } from './provision/revoke-site.js';
export { provisionServiceUser, serviceUserName, type ServiceKind, type ServiceCredentials } from './provision/service-users.js';
export { credentialsBundle, type CredentialsBundle, type SiteCredentials } from './provision/credentials-bundle.js';
export { declareFederatedTopology, deleteFederatedTopology } from './topology.js';
export { checkRedisHaAdmin, FederationAdminConfigSchema, redisHaAdminFields, type FederationAdminConfig } from './admin-config.js';
export { createFederationAdmin, type FederationAdmin } from './federation-admin.js';
