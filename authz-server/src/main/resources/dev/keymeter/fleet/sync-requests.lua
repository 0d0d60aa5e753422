-- One sidecar's requests of one key, merged into the fleet's; answers the fleet's count.
-- KEYS[1]  {km:<keyId>}:rpm:<epoch>, a hash: field "<sidecar>|<epoch second>" = that second's count
-- ARGV[1]  the sidecar's id;  ARGV[2]  the window's clock t (epoch seconds)
-- ARGV[3..] pairs: offset i (second t - 60 + i), absolute count of that second
-- Counts only grow, so the merge is max(): replaying the same call changes nothing.
local key = KEYS[1]
local sidecar = ARGV[1]
local t = tonumber(ARGV[2])
for i = 3, #ARGV, 2 do
  local field = sidecar .. '|' .. (t - 60 + tonumber(ARGV[i]))
  local count = tonumber(ARGV[i + 1])
  local held = tonumber(redis.call('HGET', key, field) or '0')
  if count > held then
    redis.call('HSET', key, field, count)
  end
end
local fields = redis.call('HGETALL', key)
local sum = 0
local old = {}
for i = 1, #fields, 2 do
  local second = tonumber(string.match(fields[i], '|(%d+)$'))
  if second == nil or second < t - 60 then
    old[#old + 1] = fields[i]
  elseif second <= t then
    sum = sum + tonumber(fields[i + 1])
  end
end
if #old > 0 then
  redis.call('HDEL', key, unpack(old))
end
redis.call('EXPIRE', key, 180)
return sum
