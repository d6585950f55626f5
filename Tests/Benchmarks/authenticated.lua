-- wrk script: GET of the URL's path as one of the users in BENCH_TOKENS (comma-separated), drawn per request
-- from requests built once in init.
local requests = {}

init = function(args)
    for token in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do
        requests[#requests + 1] = wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. token })
    end
end

request = function()
    return requests[math.random(1, #requests)]
end
