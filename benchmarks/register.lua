-- wrk script (benchmarks/throughput.py): every request is one registration, POST /api/v1/requests with
-- the token and body from the environment. Counts answers by status, and 503s without Retry-After,
-- over every thread; prints one RESULT line of JSON with the latency percentiles in milliseconds.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("OGI_TOKEN")
wrk.body = os.getenv("OGI_BODY")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  bare503 = 0
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if status == 503 and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    bare503 = bare503 + 1
  end
end

function done(summary, latency, requests)
  local total, bare = {}, 0
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("codes")) do total[s] = (total[s] or 0) + n end
    bare = bare + t:get("bare503")
  end
  local parts = {}
  for s, n in pairs(total) do table.insert(parts, string.format('"%d": %d', s, n)) end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "seconds": %.3f, "p50": %.1f, "p95": %.1f, "p99": %.1f, '
    .. '"socket_errors": %d, "timeouts": %d, "codes": {%s}, "bare503": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write, e.timeout, table.concat(parts, ", "), bare))
end
