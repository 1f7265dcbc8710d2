/**
 * Lua scripts for the Redis cluster state. Money is kept as decimal strings and added with the
 * digit arithmetic below because Lua numbers are doubles: exact only up to 2^53 picos (~$9,007),
 * far below real budgets.
 *
 * Budget counter: hash `<key>` {spent, reserved, r:<reservationId> = amount} plus sorted set
 * `<key>:res` of reservation ids scored by lease expiry, so a crashed replica's reservations are
 * released when their lease runs out.
 */
const BIGNUM = `
local function bnorm(s)
  s = string.gsub(s, '^0+', '')
  if s == '' then return '0' end
  return s
end
local function bcmp(a, b)
  a = bnorm(a); b = bnorm(b)
  if #a ~= #b then if #a < #b then return -1 else return 1 end end
  if a == b then return 0 end
  if a < b then return -1 else return 1 end
end
local function badd(a, b)
  local out = {}
  local i, j, carry = #a, #b, 0
  while i > 0 or j > 0 or carry > 0 do
    local d = carry
    if i > 0 then d = d + string.byte(a, i) - 48; i = i - 1 end
    if j > 0 then d = d + string.byte(b, j) - 48; j = j - 1 end
    if d >= 10 then carry = 1; d = d - 10 else carry = 0 end
    out[#out + 1] = string.char(d + 48)
  end
  return bnorm(string.reverse(table.concat(out)))
end
local function bsub(a, b)
  if bcmp(a, b) <= 0 then return '0' end
  local out = {}
  local i, j, borrow = #a, #b, 0
  while i > 0 do
    local d = string.byte(a, i) - 48 - borrow; i = i - 1
    if j > 0 then d = d - (string.byte(b, j) - 48); j = j - 1 end
    if d < 0 then d = d + 10; borrow = 1 else borrow = 0 end
    out[#out + 1] = string.char(d + 48)
  end
  return bnorm(string.reverse(table.concat(out)))
end
local function release_expired(h, z, now)
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  if #expired == 0 then return end
  local reserved = redis.call('HGET', h, 'reserved') or '0'
  for _, id in ipairs(expired) do
    local amount = redis.call('HGET', h, 'r:' .. id)
    if amount then
      reserved = bsub(reserved, amount)
      redis.call('HDEL', h, 'r:' .. id)
    end
  end
  redis.call('HSET', h, 'reserved', reserved)
  redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
end
`;

/**
 * KEYS: budget hashes (nb), their reservation sets (nb), windows (nw), the windows' previous windows (nw), [concurrency set]
 * ARGV: now, id, amount, leaseExpiresAt, nb, nw, hasConcurrency,
 *       per budget: limit, expiresAt (0 = never); per window: limit, amount, expiresAt, previous weight (0: fixed window);
 *       [concurrency limit]
 * Returns {'ok'} | {'unseeded', i} | {'budget', i, spent, reserved} | {'window', j, used, current, previous} | {'concurrency', active}
 */
export const ADMIT_SCRIPT = `${BIGNUM}
local now = tonumber(ARGV[1])
local id = ARGV[2]
local amount = ARGV[3]
local lease = tonumber(ARGV[4])
local nb = tonumber(ARGV[5])
local nw = tonumber(ARGV[6])
local has_conc = tonumber(ARGV[7])
local budget_args = 8
local window_args = budget_args + 2 * nb
local conc_arg = window_args + 4 * nw
local conc_key = 2 * nb + 2 * nw + 1

if has_conc == 1 then
  local c = KEYS[conc_key]
  redis.call('ZREMRANGEBYSCORE', c, '-inf', now)
  local active = redis.call('ZCARD', c)
  if active >= tonumber(ARGV[conc_arg]) then return {'concurrency', active} end
end
for j = 1, nw do
  local base = window_args + 4 * (j - 1)
  local current = tonumber(redis.call('GET', KEYS[2 * nb + j]) or '0')
  local weight = tonumber(ARGV[base + 3])
  local previous = 0
  local used = current
  if weight > 0 then
    previous = tonumber(redis.call('GET', KEYS[2 * nb + nw + j]) or '0')
    used = current + math.max(0, math.ceil(previous * weight - 1e-9))
  end
  if used + tonumber(ARGV[base + 1]) > tonumber(ARGV[base]) then
    return {'window', j, tostring(used), tostring(current), tostring(previous)}
  end
end
for i = 1, nb do
  local h = KEYS[i]
  if redis.call('HEXISTS', h, 'spent') == 0 then return {'unseeded', i} end
  release_expired(h, KEYS[nb + i], now)
  local spent = redis.call('HGET', h, 'spent')
  local reserved = redis.call('HGET', h, 'reserved') or '0'
  if bcmp(badd(badd(spent, reserved), amount), ARGV[budget_args + 2 * (i - 1)]) > 0 then
    return {'budget', i, spent, reserved}
  end
end

for i = 1, nb do
  local h = KEYS[i]
  local z = KEYS[nb + i]
  local reserved = redis.call('HGET', h, 'reserved') or '0'
  redis.call('HSET', h, 'reserved', badd(reserved, amount), 'r:' .. id, amount)
  redis.call('ZADD', z, lease, id)
  local expires = tonumber(ARGV[budget_args + 2 * (i - 1) + 1])
  if expires > 0 then
    redis.call('PEXPIREAT', h, expires)
    redis.call('PEXPIREAT', z, expires)
  end
end
for j = 1, nw do
  local base = window_args + 4 * (j - 1)
  local k = KEYS[2 * nb + j]
  redis.call('INCRBY', k, ARGV[base + 1])
  redis.call('PEXPIREAT', k, ARGV[base + 2])
end
if has_conc == 1 then
  local c = KEYS[conc_key]
  redis.call('ZADD', c, lease, id)
  -- The set lives as long as its longest lease: a shorter lease must not cut the others short.
  local longest = redis.call('ZRANGE', c, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', c, longest[2])
end
return {'ok'}
`;

/**
 * KEYS: budget hashes (nb), their reservation sets (nb), windows (nw), [concurrency set]
 * ARGV: id, actual, nb, nw, hasConcurrency, per window: delta
 * A budget hash without `spent` (lost by Redis) is left alone: creating it here would look seeded
 * at a fraction of the real spend; the next admission reseeds it from the ledger instead.
 */
export const SETTLE_SCRIPT = `${BIGNUM}
local id = ARGV[1]
local actual = ARGV[2]
local nb = tonumber(ARGV[3])
local nw = tonumber(ARGV[4])
local has_conc = tonumber(ARGV[5])
for i = 1, nb do
  local h = KEYS[i]
  redis.call('ZREM', KEYS[nb + i], id)
  local amount = redis.call('HGET', h, 'r:' .. id)
  if amount then
    redis.call('HSET', h, 'reserved', bsub(redis.call('HGET', h, 'reserved') or '0', amount))
    redis.call('HDEL', h, 'r:' .. id)
  end
  local spent = redis.call('HGET', h, 'spent')
  if spent then redis.call('HSET', h, 'spent', badd(spent, actual)) end
end
for j = 1, nw do
  local k = KEYS[2 * nb + j]
  if redis.call('EXISTS', k) == 1 then
    local value = redis.call('INCRBY', k, ARGV[5 + j])
    if value < 0 then redis.call('SET', k, '0', 'KEEPTTL') end
  end
end
if has_conc == 1 then redis.call('ZREM', KEYS[2 * nb + nw + 1], id) end
return 'ok'
`;

/** KEYS: hash. ARGV: spent, expiresAt (0 = never). Returns 1 when it created the counter. */
export const SEED_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'spent') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'spent', ARGV[1])
redis.call('HSETNX', KEYS[1], 'reserved', '0')
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return 1
`;

/** KEYS: hash, reservation set. ARGV: now. Returns {spent, reserved} or {} when not seeded. */
export const READ_SCRIPT = `${BIGNUM}
if redis.call('HEXISTS', KEYS[1], 'spent') == 0 then return {} end
release_expired(KEYS[1], KEYS[2], tonumber(ARGV[1]))
return {redis.call('HGET', KEYS[1], 'spent'), redis.call('HGET', KEYS[1], 'reserved') or '0'}
`;
