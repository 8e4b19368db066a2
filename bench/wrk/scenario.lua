-- One wrk script for every scenario; bench/run.py picks the behaviour through the environment.
--   BENCH_MODE      get (default: wrk's method/path), post_empty, post_body, create_invitation, accept
--   BENCH_BODY      the body of every post_body request
--   BENCH_HEADERS   extra headers, "Name: value" separated by "|"
--   BENCH_PREFIX    unique prefix for recipient addresses (create_invitation)
--   BENCH_ACCEPTORS file of "<session> <csrf> <tenant id> <email>" lines; BENCH_OFFSET lines already used
-- done() prints one JSON line: requests, duration, latency percentiles (microseconds), errors, statuses.

local mode = os.getenv("BENCH_MODE") or "get"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local headers = {}
local lines = {}
local offset = 0
local prefix = os.getenv("BENCH_PREFIX") or "bench"

function init(args)
  statuses = {}
  issued = 0
  exhausted = 0
  for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
    local name, value = pair:match("^%s*([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  if mode == "accept" then
    for line in io.lines(os.getenv("BENCH_ACCEPTORS")) do table.insert(lines, line) end
    offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
  end
end

local function with_headers(extra)
  local merged = {}
  for k, v in pairs(headers) do merged[k] = v end
  for k, v in pairs(extra or {}) do merged[k] = v end
  return merged
end

function request()
  issued = issued + 1
  if mode == "accept" then
    local line = lines[offset + issued]
    if line == nil then
      exhausted = exhausted + 1
      return wrk.format("GET", "/healthz")
    end
    local sid, csrf, tenant, email = line:match("(%S+) (%S+) (%S+) (%S+)")
    local body = "csrfmiddlewaretoken=" .. csrf .. "&tenant=" .. tenant .. "&signer_name=Bench+Acceptor&signer_email="
      .. email:gsub("@", "%%40") .. "&agreement_accepted=on"
    return wrk.format("POST", "/r/", with_headers({
      ["Cookie"] = "sessionid=" .. sid .. "; csrftoken=" .. csrf,
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }), body)
  elseif mode == "create_invitation" then
    local body = string.format(
      '{"include_delegated_admin": true, "recipient_email": "%s-%d@customer.bench.example", "language": "en", "send_email": true}',
      prefix, issued)
    return wrk.format("POST", nil, with_headers({["Content-Type"] = "application/json"}), body)
  elseif mode == "post_body" then
    return wrk.format("POST", nil, with_headers(), os.getenv("BENCH_BODY") or "")
  elseif mode == "post_empty" then
    return wrk.format("POST", nil, with_headers({["Content-Length"] = "0"}), "")
  end
  return wrk.format("GET", nil, with_headers())
end

function response(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local agg, total_issued, total_exhausted = {}, 0, 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do agg[code] = (agg[code] or 0) + n end
    total_issued = total_issued + t:get("issued")
    total_exhausted = total_exhausted + t:get("exhausted")
  end
  local parts = {}
  for code, n in pairs(agg) do table.insert(parts, string.format('"%d": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "non_2xx_3xx": %d, '
      .. '"statuses": {%s}, "issued": %d, "exhausted": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.timeout, e.status, table.concat(parts, ", "), total_issued, total_exhausted))
end
