// Named Lua scripts: each is one atomic step on Redis (records, indexes, audit entries, outbox together). The store's
// are all here; a platform adapter's own (its tokens, rate windows, console history) are beside it, named alike.

/**
 * Applies a list of index writes (see index-changes.ts); `x[2]` is the position of the key in KEYS. A score `#` is the
 * score of the 督字 number the same step gave (`num_score`: year*1e6+seq), which the caller could not know.
 */
const APPLY_INDEX = `
local function apply_index(list, num_score)
  for _, x in ipairs(list) do
    local op, key = x[1], KEYS[x[2]]
    if op == 'Z' then
      local score = x[3]
      if score == '#' then
        if not num_score then return redis.error_reply('a number score without a number given') end
        score = num_score
      end
      redis.call('ZADD', key, score, x[4])
    elseif op == 'z' then redis.call('ZREM', key, x[3])
    elseif op == 'S' then redis.call('SADD', key, x[3])
    elseif op == 's' then redis.call('SREM', key, x[3]) end
  end
end
`;

/**
 * The link of an item's audit chain (see audit-chain.ts, which computes the same in Node to verify it): the sha1 of
 * the previous link and the entry's fields but `h`, sorted by name, each as `name=<byte length>:value`, one per line.
 */
const CHAIN_HASH = `
local function chain_hash(prev, e)
  local names = {}
  for k in pairs(e) do if k ~= 'h' then names[#names + 1] = k end end
  table.sort(names)
  local parts = { prev }
  for _, k in ipairs(names) do
    local v = tostring(e[k])
    parts[#parts + 1] = k .. '=' .. #v .. ':' .. v
  end
  return redis.sha1hex(table.concat(parts, '\\n'))
end
`;

/**
 * Appending to an item's trail: the entry goes to the global stream, then (as JSON with its stream id and its chain
 * link `h`) to the item's list. The seals an entry carries (`rec`, see COMMIT_OP) are kept in the stream's copy
 * only, to keep them once in memory: the link covers them all the same, so changing one means rewriting the global
 * stream as well as the chain. Returns the new head of the chain.
 */
const APPEND_ENTRY = `
local function append_entry(all_key, list_key, head, e)
  local fields = {}
  for k, val in pairs(e) do
    fields[#fields + 1] = k
    fields[#fields + 1] = tostring(val)
  end
  e.id = redis.call('XADD', all_key, '*', unpack(fields))
  e.h = chain_hash(head, e)
  e.rec = nil
  redis.call('RPUSH', list_key, cjson.encode(e))
  return e.h
end
`;

/**
 * The seal of a record (see audit-chain.ts, recordHash, which computes the same in Node): the chain hash, from an
 * empty link, of every field of its Redis hash as it is now, but `ah` and `an` (the chain's own head and length,
 * checked against the chain itself). Any field changed, added or removed changes it.
 */
const RECORD_HASH = `
local function record_hash(key)
  local f = redis.call('HGETALL', key)
  local e = {}
  for i = 1, #f, 2 do
    if f[i] ~= 'ah' and f[i] ~= 'an' then e[f[i]] = f[i + 1] end
  end
  return chain_hash('', e)
end
`;

/**
 * commit-op: one operation on one item, all or nothing. It fails (changing nothing) if the operation was already
 * applied (`dup`, with its stored outcome), or if a record it read changed since (`conflict`): the header's
 * version or status, or an assignment's version. Otherwise it writes the header and the assignments it changed,
 * their index entries, the audit entries (see APPEND_ENTRY; the header keeps the chain's last link and length as `ah`
 * and `an`), the deliveries it decided (to the outbox, in the same step: a crash after this loses nothing), and the
 * operation's outcome. When the step completes the item's last open assignment, it completes the item too, with its
 * own audit entry. The operation's last entry carries `rec`, the seal of every record the step wrote as the step
 * left it (`@=<hash>` for the header, `<unit>=<hash>` for an assignment): the chain vouches for the records' last
 * written state, so a record changed afterwards outside this script no longer matches.
 *
 * 发出 gives the item the year's next 督字 number here (`num`), after every check: the number is taken in the same
 * atomic step that issues the item, so two clerks issuing at once are numbered one after the other, and a step that
 * does not complete (a conflict, a refusal, a process killed before or after it) takes no number. The number is
 * written as the header's own fields `year` and `seq` (like `status`: the decision, made before, cannot know it), in
 * the year's map of numbers, in the index scores written as `#`, and in the detail of the operation's first entry.
 *
 * KEYS: 1 op, 2 audit (all), 3 audit (item), 4 outbox, 5 item header, 6.. records, indexes, counters
 * ARGV: 1 spec JSON (below), 2.. documents the spec points at by position
 * spec: op (id), ttl (s), st? (status the decision saw), hv? (header version expected when hd is given),
 *       hd? (ARGV position of the new header doc), hs? (new status), open? (open count to set),
 *       ys? ([year, seq]: the number the header already holds, written as its fields),
 *       num? ({y: year, k: KEYS pos of the year's counter, m: KEYS pos of the year's map, id: the item's id}: give the next number),
 *       recs: [[key pos, expected version, ARGV pos of the new doc (absent: checked, not written)]], idx: index writes, done (assignments completed),
 *       at (domain time, ms), au (ARGV pos of audit entries), ce? (ARGV pos of the completion entry),
 *       ob? (ARGV pos of the outbox entry), out (ARGV pos of the outcome), hc? (completedAt to write: the header
 *       completed by a change of its own), rv? ({due, k: KEYS pos of the review schedule, id, e: ARGV pos of the entry,
 *       ob?: ARGV pos of the outbox entry to write instead}: an instructed item goes to its leader's review, not completed)
 * Returns: {'ok', '1' if it completed the item, '2' if it put it in review, else '0', the number given or ''} | {'dup', outcome} | {'conflict', what}
 */
export const COMMIT_OP = `${APPLY_INDEX}${CHAIN_HASH}${APPEND_ENTRY}${RECORD_HASH}
local spec = cjson.decode(ARGV[1])
local prev = redis.call('GET', KEYS[1])
if prev then return {'dup', prev} end
local item = KEYS[5]
local completed_item = '0'
if spec.hd then
  local v = tonumber(redis.call('HGET', item, 'v') or '0')
  if v ~= spec.hv then return {'conflict', 'item'} end
end
if spec.st and redis.call('HGET', item, 'status') ~= spec.st then return {'conflict', 'status'} end
for _, r in ipairs(spec.recs) do
  local v = tonumber(redis.call('HGET', KEYS[r[1]], 'v') or '0')
  if v ~= r[2] then return {'conflict', KEYS[r[1]]} end
end
local entries = cjson.decode(ARGV[spec.au])
local header_written = spec.hd or spec.hs or spec.open or spec.num or spec.done > 0
local written = {}
for _, r in ipairs(spec.recs) do
  if r[3] then written[#written + 1] = r[1] end
end
-- A record written without an entry to carry its seal would look changed by hand: refused before anything is written.
if (header_written or #written > 0) and #entries == 0 then return redis.error_reply('records written without an audit entry') end
if spec.hd then
  redis.call('HSET', item, 'v', spec.hv + 1, 'doc', ARGV[spec.hd])
end
if spec.hs then redis.call('HSET', item, 'status', spec.hs) end
if spec.open then redis.call('HSET', item, 'open', spec.open) end
if spec.ys then redis.call('HSET', item, 'year', spec.ys[1], 'seq', spec.ys[2]) end
local given = ''
local num_score = nil
if spec.num then
  local n = redis.call('INCR', KEYS[spec.num.k])
  redis.call('HSET', item, 'year', spec.num.y, 'seq', n)
  redis.call('HSET', KEYS[spec.num.m], n, spec.num.id)
  num_score = spec.num.y * 1000000 + n
  given = tostring(n)
  local first = entries[1]
  local d = first.detail and cjson.decode(first.detail) or {}
  d.year = spec.num.y
  d.seq = n
  first.detail = cjson.encode(d)
end
for _, r in ipairs(spec.recs) do
  if r[3] then redis.call('HSET', KEYS[r[1]], 'v', r[2] + 1, 'doc', ARGV[r[3]]) end
end
apply_index(spec.idx, num_score)
if spec.hc then redis.call('HSET', item, 'completedAt', spec.hc) end
local outbox = spec.ob and ARGV[spec.ob] or nil
if spec.done > 0 then
  local left = redis.call('HINCRBY', item, 'open', -spec.done)
  if left <= 0 and redis.call('HGET', item, 'status') == 'open' then
    if spec.rv then
      -- An instructed item waits for its leader's review (待批办领导审阅), which ends by itself at rv.due.
      redis.call('HSET', item, 'status', 'review', 'reviewFrom', spec.at, 'reviewDue', spec.rv.due)
      redis.call('ZADD', KEYS[spec.rv.k], spec.rv.due, spec.rv.id)
      entries[#entries + 1] = cjson.decode(ARGV[spec.rv.e])
      if spec.rv.ob then outbox = ARGV[spec.rv.ob] end
      completed_item = '2'
    else
      redis.call('HSET', item, 'status', 'completed', 'completedAt', spec.at)
      entries[#entries + 1] = cjson.decode(ARGV[spec.ce])
      completed_item = '1'
    end
  end
end
-- Sealed after every write of the step, the script's own (status, open, completedAt) included.
local seals = {}
if header_written then seals[#seals + 1] = '@=' .. record_hash(item) end
for _, pos in ipairs(written) do
  seals[#seals + 1] = string.match(KEYS[pos], '[^:]+$') .. '=' .. record_hash(KEYS[pos])
end
if #seals > 0 then entries[#entries].rec = table.concat(seals, ' ') end
local head = redis.call('HGET', item, 'ah') or ''
local count = tonumber(redis.call('HGET', item, 'an') or '0')
for _, e in ipairs(entries) do
  head = append_entry(KEYS[2], KEYS[3], head, e)
  count = count + 1
end
redis.call('HSET', item, 'ah', head, 'an', count)
if outbox then redis.call('HSET', KEYS[4], spec.op, outbox) end
redis.call('SET', KEYS[1], ARGV[spec.out], 'EX', spec.ttl)
return {'ok', completed_item, given}
`;

/**
 * upgrade-item: rewrites one item from format 1 (one document with every assignment) as a header and one record
 * per assignment, with their index entries. Does nothing if it was already rewritten (a resumed upgrade), and
 * reports `conflict` if the old document changed since it was read.
 * KEYS: 1 item, 2..n+1 the assignment records, then index keys
 * ARGV: 1 spec JSON {v: old version, n, status, open, completedAt?, idx}, 2 header doc, 3.. assignment docs
 */
export const UPGRADE_ITEM = `${APPLY_INDEX}
local spec = cjson.decode(ARGV[1])
if redis.call('HEXISTS', KEYS[1], 'status') == 1 then return 'done' end
if tonumber(redis.call('HGET', KEYS[1], 'v') or '0') ~= spec.v then return 'conflict' end
redis.call('HSET', KEYS[1], 'v', 1, 'doc', ARGV[2], 'status', spec.status, 'open', spec.open)
if spec.completedAt then redis.call('HSET', KEYS[1], 'completedAt', spec.completedAt) end
for i = 1, spec.n do
  redis.call('HSET', KEYS[1 + i], 'v', 1, 'doc', ARGV[2 + i])
end
apply_index(spec.idx, nil)
return 'ok'
`;

/**
 * next-seq: the next draft reference (草稿N), given once per operation. Drafts may skip a reference (a /新建 that
 * fails after taking one); the 督字 numbers never do (they are given by COMMIT_OP).
 * KEYS: 1 the counter, 2 seq-for-op   ARGV: 1 ttl (s)
 */
export const NEXT_SEQ = `
local got = redis.call('GET', KEYS[2])
if got then return tonumber(got) end
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], n, 'EX', ARGV[1])
return n
`;

/**
 * Format 3: an item's own audit trail is a list of JSON entries (each with its id in the global stream), not a stream
 * of its own (a stream costs 4 KB however short it is). Converts one item's stream in one step; a list is left alone.
 * KEYS: 1 the item's audit key. Returns 1 when converted, 0 when there was nothing to convert.
 */
export const AUDIT_TO_LIST = `
if redis.call('TYPE', KEYS[1])['ok'] ~= 'stream' then return 0 end
local rows = redis.call('XRANGE', KEYS[1], '-', '+')
redis.call('DEL', KEYS[1])
for _, row in ipairs(rows) do
  local e = { id = row[1] }
  local f = row[2]
  for i = 1, #f, 2 do e[f[i]] = f[i + 1] end
  redis.call('RPUSH', KEYS[1], cjson.encode(e))
end
return 1
`;

/**
 * Format 4: an item's audit list is chained (see CHAIN_HASH). Links every entry that has none yet, from the last
 * linked one, and records the head and length on the header; an item already chained is left alone.
 * KEYS: 1 the item's header, 2 its audit list. Returns the number of entries linked.
 */
export const AUDIT_CHAIN = `${CHAIN_HASH}
if redis.call('HEXISTS', KEYS[1], 'ah') == 1 then return 0 end
local rows = redis.call('LRANGE', KEYS[2], 0, -1)
local head = ''
local linked = 0
for i, row in ipairs(rows) do
  local e = cjson.decode(row)
  if e.h then
    head = e.h
  else
    head = chain_hash(head, e)
    e.h = head
    redis.call('LSET', KEYS[2], i - 1, cjson.encode(e))
    linked = linked + 1
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'ah', head, 'an', #rows) end
return linked
`;

/**
 * Format 5: seals an item's records as they are (see RECORD_HASH), with a system entry of its own at the end of its
 * trail, so that a later change outside the commit script shows. Done once per item: an item whose trail already
 * holds such an entry is left alone (a resumed upgrade, or two processes upgrading at once).
 * KEYS: 1 audit (all), 2 audit (item), 3 item header, 4.. its assignment records
 * ARGV: 1 the entry JSON (without `rec`). Returns 1 when sealed, 0 when it was already.
 */
export const SEAL_ITEM = `${CHAIN_HASH}${APPEND_ENTRY}${RECORD_HASH}
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
for _, row in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  if string.find(row, '"action":"seal"', 1, true) then return 0 end
end
local seals = { '@=' .. record_hash(KEYS[3]) }
for i = 4, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    seals[#seals + 1] = string.match(KEYS[i], '[^:]+$') .. '=' .. record_hash(KEYS[i])
  end
end
local e = cjson.decode(ARGV[1])
e.rec = table.concat(seals, ' ')
local head = append_entry(KEYS[1], KEYS[2], redis.call('HGET', KEYS[3], 'ah') or '', e)
redis.call('HSET', KEYS[3], 'ah', head, 'an', tonumber(redis.call('HGET', KEYS[3], 'an') or '0') + 1)
return 1
`;

/**
 * mark-slot: records a reminder slot as taken, only forward: a process whose clock is behind never takes the mark
 * back (which would send that slot's reminders again).
 * KEYS: 1 the slot mark   ARGV: 1 the slot's date (YYYY-MM-DD, which sorts as it reads)
 */
export const MARK_SLOT = `
local v = redis.call('GET', KEYS[1])
if (not v) or v < ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
`;

/**
 * move-progress: moves items of the progress schedule (see keys.ts, progress) to when they are next looked at, each
 * only if it is still where the mover saw it: a second worker, or a slot run again, that saw an older score changes
 * nothing. An item without a next time leaves the schedule.
 * KEYS: 1 the progress schedule   ARGV: 1 JSON [[item id, score seen, next score or absent]]
 * Returns how many items were moved or removed.
 */
export const MOVE_PROGRESS = `
local moved = 0
for _, m in ipairs(cjson.decode(ARGV[1])) do
  local cur = redis.call('ZSCORE', KEYS[1], m[1])
  if cur and tonumber(cur) == tonumber(m[2]) then
    if m[3] then redis.call('ZADD', KEYS[1], m[3], m[1]) else redis.call('ZREM', KEYS[1], m[1]) end
    moved = moved + 1
  end
end
return moved
`;

/**
 * pending-add: keeps a file a contact sent as waiting to be attached to their next report, within the limits of one
 * report; forgets what they sent before the window. The same file sent again only renews its time.
 * KEYS: 1 the contact's waiting files (hash: sha256 → JSON {name, size, mime, at, seq: the order they came in})
 * ARGV: 1 sha256, 2 its JSON, 3 the window's start (domain ms), 4 bytes allowed, 5 files allowed, 6 ttl (s)
 * Returns: {'added' | 'again' | 'bytes' | 'files', files waiting, their bytes} (the last two: refused, nothing kept)
 */
export const PENDING_ADD = `
local since = tonumber(ARGV[3])
local all = redis.call('HGETALL', KEYS[1])
local total, count, last = 0, 0, 0
local again = nil
for i = 1, #all, 2 do
  local m = cjson.decode(all[i + 1])
  if m.at < since then redis.call('HDEL', KEYS[1], all[i])
  else
    last = math.max(last, m.seq or 0)
    if all[i] == ARGV[1] then again = m
    else
      total = total + m.size
      count = count + 1
    end
  end
end
local meta = cjson.decode(ARGV[2])
if not again then
  if count + 1 > tonumber(ARGV[5]) then return {'files', count, total} end
  if total + meta.size > tonumber(ARGV[4]) then return {'bytes', count, total} end
end
-- Their order is the order they came in (their times may be equal): a file sent again keeps its place.
meta.seq = again and again.seq or last + 1
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(meta))
redis.call('EXPIRE', KEYS[1], ARGV[6])
return {again and 'again' or 'added', count + 1, total + meta.size}
`;

/**
 * pending-take: an operation (a /报送) takes the contact's files sent within the window, in the order they came, and numbers
 * them after the item's attachments so far; once per operation (a replay gets the same files and numbers back).
 * KEYS: 1 the contact's waiting files, 2 what the operation took (JSON list), 3 the item's attachment counter
 * ARGV: 1 the window's start (domain ms), 2 how long what was taken is remembered (s)
 * Returns the JSON list [{sha256, name, size, mime, at, n}], oldest first.
 */
export const PENDING_TAKE = `
local got = redis.call('GET', KEYS[2])
if got then return got end
local since = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local list = {}
for i = 1, #all, 2 do
  local m = cjson.decode(all[i + 1])
  redis.call('HDEL', KEYS[1], all[i])
  if m.at >= since then
    m.sha256 = all[i]
    list[#list + 1] = m
  end
end
if #list == 0 then return '[]' end
table.sort(list, function(a, b)
  if (a.seq or 0) ~= (b.seq or 0) then return (a.seq or 0) < (b.seq or 0) end
  return a.sha256 < b.sha256
end)
local last = redis.call('INCRBY', KEYS[3], #list)
for i, m in ipairs(list) do m.n = last - #list + i end
local out = cjson.encode(list)
redis.call('SET', KEYS[2], out, 'EX', ARGV[2])
return out
`;

/**
 * pending-return: an operation that took a contact's files was refused: they wait again as they were, and their
 * numbers are given back when no later attachment took a number since.
 * KEYS: 1 the contact's waiting files, 2 what the operation took, 3 the item's attachment counter
 * ARGV: 1 ttl of the waiting files (s). Returns how many files were given back.
 */
export const PENDING_RETURN = `
local got = redis.call('GET', KEYS[2])
if not got then return 0 end
local list = cjson.decode(got)
if #list == 0 then
  redis.call('DEL', KEYS[2])
  return 0
end
local last = list[#list].n
for _, m in ipairs(list) do
  local sha = m.sha256
  m.sha256 = nil
  m.n = nil
  if redis.call('HEXISTS', KEYS[1], sha) == 0 then redis.call('HSET', KEYS[1], sha, cjson.encode(m)) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
if tonumber(redis.call('GET', KEYS[3]) or '0') == last then
  if redis.call('DECRBY', KEYS[3], #list) <= 0 then redis.call('DEL', KEYS[3]) end
end
redis.call('DEL', KEYS[2])
return #list
`;

/**
 * number-release: an operation that took one attachment number (see NEXT_SEQ) was refused: the number is given back
 * when it is still the last one given.
 * KEYS: 1 the item's attachment counter, 2 the number the operation took
 */
export const NUMBER_RELEASE = `
local n = redis.call('GET', KEYS[2])
if not n then return 0 end
if redis.call('GET', KEYS[1]) == n then
  if redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end
end
redis.call('DEL', KEYS[2])
return 1
`;

/** A field of a decoded document, JSON null read as absent. */
const PRESENT = `
local function present(x)
  if x == cjson.null then return nil end
  return x
end
`;

/**
 * stat-assignments: what the office's figures need of each assignment record (src/domain/stat-view.ts,
 * StatAssignment), decoded here so that the reports' texts and signatures never leave Redis; read-only. A record whose
 * version is the one the caller already holds (its in-process copy, store.ts) is not decoded at all. Called with
 * STAT_CHUNK records at a time (store.ts), so that Redis is never held long by one call. An empty list comes back as
 * `{}` (cjson), which the store reads as empty.
 * KEYS: the assignment records (hashes v, doc)   ARGV: per key, the version the caller holds ('' for none)
 * Returns, per key in order: 0 when its version is the one held; `<version> <view JSON>` otherwise; nil when there is
 * no record.
 */
export const STAT_ASSIGNMENTS = `${PRESENT}
local out = {}
for i, key in ipairs(KEYS) do
  local ver = redis.call('HGET', key, 'v')
  local doc = ver and ver ~= ARGV[i] and redis.call('HGET', key, 'doc')
  if not ver then
    out[i] = false
  elseif ver == ARGV[i] then
    out[i] = 0
  elseif not doc then
    out[i] = false
  else
    local a = cjson.decode(doc)
    local v = {
      unit = a.unit, responsible = a.responsible, responsibleName = present(a.responsibleName), state = a.state,
      due = a.due, dueAt = a.dueAt, receivedAt = present(a.receivedAt), completedAt = present(a.completedAt),
      urges = #(present(a.urges) or {}), reports = {}, extensions = {}, summons = {}, visits = {},
    }
    local w = present(a.completedWith)
    if w then v.completedWith = { unit = w.unit, version = w.version, signedAt = w.signedAt } end
    for _, r in ipairs(present(a.reports) or {}) do
      local s = present(r.signature)
      v.reports[#v.reports + 1] = { final = r.final, status = r.status, at = r.at, signature = s and { at = s.at } or nil }
    end
    for _, e in ipairs(present(a.extensions) or {}) do
      v.extensions[#v.extensions + 1] = { status = e.status, to = e.to, decidedAt = present(e.decidedAt), oldDue = present(e.oldDue) }
    end
    for _, s in ipairs(present(a.summons) or {}) do
      v.summons[#v.summons + 1] = { at = s.at, replaced = present(s.replacedBy) ~= nil, heard = present(s.outcome) ~= nil }
    end
    for _, x in ipairs(present(a.visits) or {}) do
      v.visits[#v.visits + 1] = { on = x.on, replaced = present(x.replacedBy) ~= nil }
    end
    out[i] = ver .. ' ' .. cjson.encode(v)
  end
end
return out
`;

/**
 * stat-headers: what the office's figures need of each item's header (src/domain/stat-view.ts, StatHeader): its id,
 * title, draft reference, issue time from the document, its status and 督字 number from the fields the commit step
 * writes (an item of an earlier version keeps its number in the document). Read-only, STAT_CHUNK at a time; a header
 * whose stamp (version, status, year, seq) is the one the caller holds is not decoded.
 * KEYS: the item headers (hashes v, doc, status, year, seq, …)   ARGV: per key, the stamp the caller holds ('' for none)
 * Returns, per key in order: 0 when its stamp is the one held; `<stamp> <view JSON>` otherwise (the stamp has no
 * space); nil when there is no header.
 */
export const STAT_HEADERS = `${PRESENT}
local out = {}
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'v', 'status', 'year', 'seq')
  local stamp = f[1] and f[2] and (f[1] .. '|' .. f[2] .. '|' .. (f[3] or '') .. '|' .. (f[4] or ''))
  local doc = stamp and stamp ~= ARGV[i] and redis.call('HGET', key, 'doc')
  if not stamp then
    out[i] = false
  elseif stamp == ARGV[i] then
    out[i] = 0
  elseif not doc then
    out[i] = false
  else
    local h = cjson.decode(doc)
    local v = { id = h.id, title = h.title, status = f[2], draft = present(h.draft), issuedAt = present(h.issuedAt),
      year = present(h.year), seq = present(h.seq) }
    if f[3] and f[4] then
      v.year = tonumber(f[3])
      v.seq = tonumber(f[4])
    end
    out[i] = stamp .. ' ' .. cjson.encode(v)
  end
end
return out
`;
