-- One sidecar's allotment of one key's token or cost budget in one period (see FleetBudget): records
-- what the sidecar has committed, grants it what it keeps plus up to what it wants, as far as the
-- budget has room; answers {allotment, fleet committed, fleet used}.
-- KEYS[1]  {km:<keyId>}:<tok|usd>:<epoch>:<period>, a hash: field = sidecar id,
--          value = "<incarnation> <seq> <used> <allotment> <lease end, ms of Redis's clock>"
-- ARGV     1 sidecar id, 2 incarnation, 3 seq, 4 used, 5 keep, 6 want, 7 limit L, 8 live sidecars N,
--          9 lease ms, 10 when the period ends (ms; 0: never)
-- A sidecar's committed amount is max(used, allotment) while its lease runs, then used alone (a
-- crashed sidecar's allotment lapses). A record replaces one of another incarnation (the same sidecar
-- id restarted), and one of the same incarnation only with a higher seq: replaying a sync, or a late
-- copy of an older one, changes nothing and gets the newest answer.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me, incarnation, seq = ARGV[1], ARGV[2], tonumber(ARGV[3])
local used, keep, want = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local limit, n, lease, period_end = tonumber(ARGV[7]), math.max(1, tonumber(ARGV[8])), tonumber(ARGV[9]), tonumber(ARGV[10])

local function committed(u, a, lease_end)
  if lease_end > now and a > u then return a end
  return u
end

local others, others_used, mine = 0, 0, nil
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local inc, s, u, a, l = string.match(fields[i + 1], '^(%S+) (%d+) (%d+) (%d+) (%d+)$')
  if inc ~= nil then
    if fields[i] == me then
      mine = {inc, tonumber(s), tonumber(u), tonumber(a), tonumber(l)}
    else
      others = others + committed(tonumber(u), tonumber(a), tonumber(l))
      others_used = others_used + tonumber(u)
    end
  end
end
if mine ~= nil and mine[1] == incarnation and mine[2] >= seq then
  return {mine[4], others + committed(mine[3], mine[4], mine[5]), others_used + mine[3]}
end

local free = limit - others
local allotment = math.max(used, math.min(keep, math.max(free, 0)))
local room = free - allotment
if room > 0 and want > 0 then
  allotment = allotment + math.min(want, math.ceil(room / n))
end
redis.call('HSET', KEYS[1], me, string.format('%s %d %d %d %d', incarnation, seq, used, allotment, now + lease))
if period_end > 0 then
  redis.call('PEXPIREAT', KEYS[1], period_end + 86400000)
else
  redis.call('PEXPIRE', KEYS[1], 400 * 86400000)
end
return {allotment, others + math.max(used, allotment), others_used + used}
