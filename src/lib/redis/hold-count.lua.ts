/**
 * PubSubTransport.holdCount on Redis, as one script over one hash (so it is
 * atomic, and one slot on a cluster). Each field is a holder, its value
 * `<count>:<lease end, ms>`, in Redis' own clock. Expired holders are
 * removed as they are met.
 *
 * KEYS[1]: the hash. ARGV: holder, count, lease (ms), limit (-1: none).
 * Returns {granted (0 or 1), what the other live holders hold}.
 */
export const HOLD_COUNT_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local holder = ARGV[1]
local count = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local entries = redis.call('HGETALL', KEYS[1])
local others = 0
for i = 1, #entries, 2 do
  local held, ends = string.match(entries[i + 1], '^(%d+):(%d+)$')
  if held == nil or tonumber(ends) <= now then
    redis.call('HDEL', KEYS[1], entries[i])
  elseif entries[i] ~= holder then
    others = others + tonumber(held)
  end
end
if limit >= 0 and others + count > limit then
  return {0, others}
end
if count > 0 then
  redis.call('HSET', KEYS[1], holder, string.format('%d:%d', count, now + lease))
  redis.call('PEXPIRE', KEYS[1], lease)
else
  redis.call('HDEL', KEYS[1], holder)
end
return {1, others}
`;
