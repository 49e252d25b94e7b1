-- post.lua — wrk script: every request POSTs a new TAXII envelope of
-- OBJECTS (env, default 100) malware objects with ids no other request
-- uses (thread number and a per-thread counter in the UUID).
local counter = 0
local threads = 0
local per = tonumber(os.getenv("OBJECTS") or "100")

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  tid = tid or 0 -- set per thread by setup(), a global of that thread
end

request = function()
  counter = counter + 1
  local parts = {}
  for k = 1, per do
    local n = (counter - 1) * per + k
    local id = string.format("malware--%08x-0000-4000-8000-%012x", tid, n)
    parts[k] = string.format(
      '{"type":"malware","spec_version":"2.1","id":"%s",' ..
      '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",' ..
      '"name":"bench %d","is_family":false}', id, n)
  end
  local body = '{"objects":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", nil, nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("posted_envelopes %d\n", summary.requests))
end
