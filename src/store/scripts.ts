// Named Lua scripts: each is one atomic step on Redis (state change, audit entries, indexes together).

/**
 * commit-item: compare-and-set one item document, append its audit entries to the item's stream and
 * the global stream, update indexes, and record the operation's outcome — all or nothing.
 * KEYS: 1 op, 2 item, 3 audit (all), 4 audit (item), 5 items index, 6.. unit index sets
 * ARGV: 1 expected version (0 = must not exist), 2 item JSON, 3 outcome JSON, 4 op ttl (s),
 *       5 index score, 6 audit entries (JSON array of flat string maps), 7 item id
 * Returns: {"ok", version} | {"dup", outcome} | {"conflict", current version}
 */
export const COMMIT_ITEM = `
local prev = redis.call('GET', KEYS[1])
if prev then return {'dup', prev} end
local v = tonumber(redis.call('HGET', KEYS[2], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return {'conflict', tostring(v)} end
local nv = v + 1
redis.call('HSET', KEYS[2], 'v', nv, 'doc', ARGV[2])
local entries = cjson.decode(ARGV[6])
for _, e in ipairs(entries) do
  local fields = {}
  for k, val in pairs(e) do
    fields[#fields + 1] = k
    fields[#fields + 1] = tostring(val)
  end
  local id = redis.call('XADD', KEYS[3], '*', unpack(fields))
  redis.call('XADD', KEYS[4], id, unpack(fields))
end
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[7])
for i = 6, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[7])
end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
return {'ok', tostring(nv)}
`;

/**
 * next-seq: the next notice number of a year, given once per operation.
 * KEYS: 1 seq counter, 2 seq-for-op   ARGV: 1 ttl (s)
 */
export const NEXT_SEQ = `
local got = redis.call('GET', KEYS[2])
if got then return tonumber(got) end
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], n, 'EX', ARGV[1])
return n
`;
