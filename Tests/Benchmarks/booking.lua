-- wrk script: POST /bookings for one seat, as one of the users in BENCH_TOKENS (comma-separated), on an
-- event drawn from BENCH_EVENT_FIRST .. +BENCH_EVENT_COUNT-1. One event: every request books the same
-- hot event (the worst case for a version guard).
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do tokens[#tokens + 1] = token end
local first = tonumber(os.getenv("BENCH_EVENT_FIRST"))
local count = tonumber(os.getenv("BENCH_EVENT_COUNT"))

request = function()
    local id = first + math.random(0, count - 1)
    local headers = {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)],
    }
    return wrk.format("POST", "/bookings", headers, '{"eventId": ' .. id .. ', "seatCount": 1}')
end
