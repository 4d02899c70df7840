-- wrk script: each request is the next search path from $LOUPE_WRK_PATHS, authorised with $LOUPE_WRK_KEY.
-- The paths come from the real query workload (bench/http/run.sh writes them).
local paths = {}
local counter = 0
local key = os.getenv("LOUPE_WRK_KEY")

for line in io.lines(os.getenv("LOUPE_WRK_PATHS")) do
  paths[#paths + 1] = line
end

function setup(thread)
  -- Threads start at different points of the list so they do not send the same query at once.
  thread:set("offset", counter * 97)
  counter = counter + 1
end

local index = 0
function request()
  index = index + 1
  local path = paths[((offset or 0) + index) % #paths + 1]
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. key })
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("LOUPE_WRK_JSON"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "p999": %d, "max": %d, "mean": %.1f}}',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
  out:close()
end
