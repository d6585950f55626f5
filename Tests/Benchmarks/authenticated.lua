-- wrk script: GET of the URL's path as one of the users in BENCH_TOKENS (comma-separated), drawn per request.
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do tokens[#tokens + 1] = token end

request = function()
    return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)] })
end
