-- wrk script: each request acknowledges a distinct order with the token of
-- the enterprise it is addressed to. PAIRS (env) names a file of
-- "token order_id" lines; thread i of n takes lines i, i+n, i+2n ...
-- With LIMIT=1 a thread stops once each of its pairs has been answered
-- (the drain case). PATHONLY=1 sends the same request to /ack (peers).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local function now()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, t)
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = tonumber(os.getenv("THREADS") or "2")
  pairs_tok, pairs_id = {}, {}
  local i = 0
  for line in io.lines(os.getenv("PAIRS")) do
    if i % nthreads == tid then
      local t, id = line:match("(%S+) (%S+)")
      table.insert(pairs_tok, t)
      table.insert(pairs_id, id)
    end
    i = i + 1
  end
  pos, answered, ok2xx = 0, 0, 0
  limit = os.getenv("LIMIT") == "1"
  pathonly = os.getenv("PATHONLY") == "1"
  body = '{"contact":"bench"}'
  t0, t1 = now(), 0
  last_ack = t0
end

function request()
  pos = pos + 1
  local k = ((pos - 1) % #pairs_id) + 1
  if limit and pos > #pairs_id then
    return wrk.format("GET", "/healthz")
  end
  local path = pathonly and "/ack" or ("/v1/orders/" .. pairs_id[k] .. "/ack")
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. pairs_tok[k],
                                   ["Content-Type"] = "application/json"}, body)
end

local function finish(at)
  t1 = at
  -- tells the driver this thread is done (wrk itself waits for -d)
  local f = io.open(os.getenv("DONEDIR") .. "/" .. tid, "w")
  f:write("done\n")
  f:close()
  wrk.thread:stop()
end

function response(status, headers, rbody)
  local t = now()
  if not pathonly and rbody == '{"ok":true}' then
    -- a /healthz filler: every ack was sent; a request lost with its
    -- connection is never answered, so stop 1 s after the last answer
    if limit and t1 == 0 and t - last_ack > 1.0 then finish(last_ack) end
    return
  end
  answered = answered + 1
  last_ack = t
  if status >= 200 and status < 300 then ok2xx = ok2xx + 1 end
  if limit and t1 == 0 and answered >= #pairs_id then finish(t) end
end

function done(summary, latency, requests)
  local a, o, s0, s1 = 0, 0, math.huge, 0
  for _, t in ipairs(threads) do
    a = a + t:get("answered")
    o = o + t:get("ok2xx")
    s0 = math.min(s0, t:get("t0"))
    s1 = math.max(s1, t:get("t1"))
  end
  io.write(string.format("BENCH answered %d ok2xx %d drain_s %.6f\n", a, o, s1 - s0))
end
