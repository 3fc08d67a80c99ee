-- wrk script for the ingest benchmarks: POSTs sentry-rust-shaped envelopes, each with a fresh event id,
-- counts answers by status and writes the event ids of the 2xx answers to a file, so the benchmark can
-- check that every acknowledged event was stored.
--
-- Environment: BENCH_TEMPLATES (file of envelope templates, one per line, with byte 0x01 for each of the
-- envelope's newlines and the event id as HYPHENATED (envelope header) and PLAIN (payload) below, of equal
-- length so the item header's length stays right), BENCH_PATH (request path),
-- BENCH_NONCE (16 hex characters unique to the run), BENCH_IDS_FILE (where the accepted ids go).

local PLAIN = "feedfacefeedfacefeedfacefeedface"
local HYPHENATED = "feedface-feed-face-feed-facefeedface"
local threads = {}
local counter = 0

local function read_templates()
  local parts = {}
  for line in io.lines(os.getenv("BENCH_TEMPLATES")) do
    local body = line:gsub("\1", "\n")
    local h = body:find(HYPHENATED, 1, true)
    local p = body:find(PLAIN, h + #HYPHENATED, true)
    local a, b, c = body:sub(1, h - 1), body:sub(h + #HYPHENATED, p - 1), body:sub(p + #PLAIN)
    parts[#parts + 1] = { a, b, c }
  end
  return parts
end

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  templates = read_templates()
  nonce = os.getenv("BENCH_NONCE")
  path = os.getenv("BENCH_PATH")
  accepted = {}
  statuses = {}
end

function request()
  counter = counter + 1
  -- 32 hex: run nonce (16) + thread (4) + per-thread counter (12): unique across threads and runs.
  local id = nonce .. string.format("%04x%012x", tid, counter)
  local hyphenated = id:sub(1, 8) .. "-" .. id:sub(9, 12) .. "-" .. id:sub(13, 16) .. "-" .. id:sub(17, 20) .. "-" .. id:sub(21)
  local t = templates[(counter % #templates) + 1]
  local body = t[1] .. hyphenated .. t[2] .. id .. t[3]
  return wrk.format("POST", path, { ["content-type"] = "application/x-sentry-envelope" }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
    local id = body:match('"id":"(%x+)"')
    if id then accepted[#accepted + 1] = id end
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_IDS_FILE"), "w")
  local totals = {}
  for _, thread in ipairs(threads) do
    for _, id in ipairs(thread:get("accepted")) do out:write(id, "\n") end
    for status, n in pairs(thread:get("statuses")) do totals[status] = (totals[status] or 0) + n end
  end
  out:close()
  local statusJson = {}
  for status, n in pairs(totals) do statusJson[#statusJson + 1] = string.format('"%d":%d', status, n) end
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"seconds":%.3f,"p50_us":%d,"p99_us":%d,"max_us":%d,"socket_errors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(statusJson, ",")))
end
