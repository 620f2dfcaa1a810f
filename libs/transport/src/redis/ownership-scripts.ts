/**
 * The Lua scripts of run ownership. Each runs atomically in Redis; the fencing counter
 * (`fenceKey`) is a plain integer only INCR ever changes, so a token read from it is current
 * exactly while the counter still equals it. Shared by the store and the lease-renewing worker.
 */

/** KEYS: lease, fence. ARGV: owner, ttl ms. Returns the token, or -1 while another owner holds the lease. */
export const ACQUIRE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, lease = pcall(cjson.decode, current)
  if ok and type(lease) == 'table' and lease['owner'] == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return lease['token']
  end
  return -1
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], cjson.encode({ owner = ARGV[1], token = token }), 'PX', ARGV[2])
return token`;

/** KEYS: lease, fence. ARGV: owner, token, ttl ms. 1: renewed (or re-taken after a lapse); 0: the run has another owner. */
export const RENEW_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
local current = redis.call('GET', KEYS[1])
if current then
  local ok, lease = pcall(cjson.decode, current)
  if not ok or type(lease) ~= 'table' or lease['owner'] ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], cjson.encode({ owner = ARGV[1], token = tonumber(ARGV[2]) }), 'PX', ARGV[3])
return 1`;

/** KEYS: lease. ARGV: owner, token. Deletes the lease only if it is still that owner's with that token. */
export const RELEASE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, lease = pcall(cjson.decode, current)
if ok and type(lease) == 'table' and lease['owner'] == ARGV[1] and lease['token'] == tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/** KEYS: key, fence. ARGV: value, token. SET only while the token is current: 1 written, -2 fenced. */
export const FENCED_SET_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return -2 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/** KEYS: inbox, fence. ARGV: token. LPOP only while the token is current: 1 popped (or empty), -2 fenced. */
export const FENCED_POP_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -2 end
redis.call('LPOP', KEYS[1])
return 1`;
