-- wrk script for exchange_bench.py: GET one path with the session cookies of many logged-in
-- users in rotation (one cookie per line in a file), and count the answers that are partial
-- (a non-empty "missing": a gateway timed out, refused or was down). With THINK_MS > 0 each
-- connection (one user) waits that long between an answer and its next request; wrk's latency
-- excludes the wait.
--   wrk ... -s exchange_bench.lua URL -- PATH[,PATH...] COOKIE_FILE [THINK_MS]
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  -- One path, or several separated by commas (mixed views: each request takes the next).
  paths = {}
  for p in string.gmatch(args[1], "[^,]+") do paths[#paths + 1] = p end
  next_path = id
  cookies = {}
  for line in io.lines(args[2]) do
    if #line > 0 then cookies[#cookies + 1] = line end
  end
  next_cookie = id  -- threads start at different users
  partial = 0
  disclosed = 0
  statuses = {}
  think = tonumber(args[3] or "0")
end

function delay()
  return think
end

function request()
  next_cookie = next_cookie % #cookies + 1
  next_path = next_path % #paths + 1
  -- A line "Bearer <token>" is a FHIR app's token (the FHIR pass), else a session cookie.
  local line = cookies[next_cookie]
  if string.sub(line, 1, 7) == "Bearer " then
    return wrk.format("GET", paths[next_path], { ["Authorization"] = line })
  end
  return wrk.format("GET", paths[next_path], { ["Cookie"] = line })
end

function response(status, headers, body)
  -- Views that fan out carry "missing"; a search does not, and is never partial.
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and (string.find(body, '"items":[{', 1, true)
      or string.find(body, '"entry":[{', 1, true)) then
    disclosed = disclosed + 1
  end
  if status == 200 and ((string.find(body, '"missing":[', 1, true)
      and not string.find(body, '"missing":[]', 1, true))
      or string.find(body, '"mode":"outcome"', 1, true)) then
    partial = partial + 1
  end
end

function done(summary, latency, requests)
  local n, d = 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("partial")
    d = d + t:get("disclosed")
  end
  io.write(string.format("partial: %d\n", n))
  io.write(string.format("p95: %.2fms\n", latency:percentile(95) / 1000))
  io.write(string.format("disclosed: %d\n", d))
  local all = {}
  for _, t in ipairs(threads) do
    local st = t:get("statuses")
    for code, count in pairs(st) do all[code] = (all[code] or 0) + count end
  end
  local line = "statuses:"
  for code, count in pairs(all) do line = line .. string.format(" %d=%d", code, count) end
  io.write(line .. "\n")
end
