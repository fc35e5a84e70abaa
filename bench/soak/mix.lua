-- wrk script for bench/soak.sh: a mixed workload, one request kind drawn per request.
-- The plan (bench/soak/plan.json, written by soak.sh) holds the tile and site lists, the
-- profile's weights and the logged-in user's cookie and CSRF token.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  for l in io.lines(path) do if l ~= "" then table.insert(out, l) end end
  return out
end

local dir = os.getenv("SOAK_DIR")
local tiles, sites, items, cookie, csrf, coll, profile, base
bad = 0 -- a global: done() reads it from each thread

function init(args)
  math.randomseed(os.time() * 100 + id)
  tiles = lines(dir .. "/tiles.txt")
  sites = lines(dir .. "/sites.txt")
  items = lines(dir .. "/items.txt")
  local s = lines(dir .. "/session.txt")
  cookie, csrf, coll, profile = s[1], s[2], s[3], s[4]
  base = lines(dir .. "/weights.txt")   -- "criterion weight", one per line
  n = 0
end

-- Weights that sum to 100, moved by a fraction unique to this thread and request, so every
-- such tile or score is computed, never answered from what was kept.
local function new_weights(sep, pair)
  n = n + 1
  local move = 1 + ((id * 7919 + n) % 100000) / 100000
  local parts = {}
  for i, l in ipairs(base) do
    local k, w = l:match("^(%S+) (%S+)$")
    w = tonumber(w)
    if i == 1 then w = w - move elseif i == #base then w = w + move end
    table.insert(parts, string.format(pair, k, w))
  end
  return table.concat(parts, sep)
end

local function post(path, body, signed)
  local h = {["Content-Type"] = "application/json"}
  if signed then h["Cookie"] = cookie; h["X-CSRF-Token"] = csrf end
  return wrk.format("POST", path, h, body)
end

local votes = {"support", "oppose", "needs_info"}

function request()
  local r = math.random(100)
  if r <= 40 then      -- a tile, usually kept
    return wrk.format("GET", "/tiles/" .. coll .. "/" .. tiles[math.random(#tiles)] .. ".mvt")
  elseif r <= 48 then  -- a tile under new weights
    return wrk.format("GET", "/tiles/" .. coll .. "/" .. tiles[math.random(#tiles)] ..
      ".mvt?weights=" .. new_weights(",", "%s:%.5f"))
  elseif r <= 66 then  -- OGC API items
    return wrk.format("GET", items[math.random(#items)])
  elseif r <= 74 then  -- a site's review state
    return wrk.format("GET", "/api/sites/" .. sites[math.random(#sites)])
  elseif r <= 82 then  -- scores under new weights
    return post("/api/score", '{"profile":"' .. profile .. '","candidates":"grid","limit":20,"weights":{' ..
      new_weights(",", '"%s":%.5f') .. '}}', false)
  elseif r <= 86 then  -- a shortlist
    return post("/api/shortlist", '{"profile":"' .. profile .. '","candidates":"grid","k":10,' ..
      '"min_spacing_km":5,"weights":{' .. new_weights(",", '"%s":%.5f') .. '}}', false)
  elseif r <= 94 then  -- a comment, signed in
    return post("/api/sites/" .. sites[math.random(#sites)] .. "/comments",
      '{"text":"soak ' .. id .. "-" .. math.random(1000000) .. '"}', true)
  else                 -- a vote, signed in
    return post("/api/sites/" .. sites[math.random(#sites)] .. "/votes",
      '{"vote":"' .. votes[math.random(3)] .. '"}', true)
  end
end

function response(status, headers, body)
  if status >= 400 then
    bad = bad + 1
    if bad <= 5 then io.stderr:write("SOAK refused " .. status .. ": " .. (body or ""):sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("bad") or 0) end
  io.write(string.format("SOAK requests %d\n", summary.requests))
  io.write(string.format("SOAK seconds %.1f\n", summary.duration / 1e6))
  io.write(string.format("SOAK p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("SOAK p99_ms %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("SOAK errors_http %d\n", total))
  io.write(string.format("SOAK errors_socket %d\n", summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
