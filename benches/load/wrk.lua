-- wrk: GET the URL, or POST the JSON file named by BODY; a bearer token when TOKEN is set.
local path = os.getenv("BODY")
if path and path ~= "" then
  local f = assert(io.open(path, "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- LOTS="PATH,PATH,…": each request goes to the next of these paths (+ SUFFIX), round robin per
-- thread; KEYED=1: each request carries an Idempotency-Key of its own (RUN names the run, so
-- runs on one database never replay each other's keys).
local lots = {}
for lot in string.gmatch(os.getenv("LOTS") or "", "[^,]+") do
  table.insert(lots, lot .. (os.getenv("SUFFIX") or ""))
end
local keyed = os.getenv("KEYED") == "1"
if #lots > 0 or keyed then
  local threads = 0
  setup = function(thread)
    threads = threads + 1
    thread:set("number", threads)
  end
  local sent = 0
  request = function()
    sent = sent + 1
    -- wrk.format takes these headers instead of wrk.headers, not beside them.
    local headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    if keyed then
      headers["Idempotency-Key"] = (os.getenv("RUN") or "run") .. "-" .. number .. "-" .. sent
    end
    local target = nil
    if #lots > 0 then
      target = lots[(sent + number) % #lots + 1]
    end
    return wrk.format(nil, target, headers)
  end
end

-- A benchmark of errors is no benchmark: count non-2xx answers and report them.
done = function(summary, latency)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
