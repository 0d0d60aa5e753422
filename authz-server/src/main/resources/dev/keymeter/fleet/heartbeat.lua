-- A sidecar says it is alive; answers how many are.
-- KEYS[1]  km:sidecars, a sorted set: member = sidecar id, score = when it stops counting (ms, Redis's clock)
-- ARGV[1]  the sidecar's id;  ARGV[2]  how long it counts as alive, ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl * 10)
return redis.call('ZCARD', KEYS[1])
