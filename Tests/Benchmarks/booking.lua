-- wrk script: POST /bookings for one seat, as one of the users in BENCH_TOKENS (comma-separated), on an
-- event drawn from BENCH_EVENT_FIRST .. +BENCH_EVENT_COUNT-1. One event: every request books the same
-- hot event (the worst case for a version guard).
--
-- Every user-event request is built once, in init; each request then draws one at random. Building each one
-- in request() cost wrk 16 us of CPU a request instead of 12, on the cores the server shares.
local requests = {}

init = function(args)
    local first = tonumber(os.getenv("BENCH_EVENT_FIRST"))
    local count = tonumber(os.getenv("BENCH_EVENT_COUNT"))
    for token in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do
        local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
        for id = first, first + count - 1 do
            requests[#requests + 1] = wrk.format("POST", "/bookings", headers, '{"eventId": ' .. id .. ', "seatCount": 1}')
        end
    end
end

request = function()
    return requests[math.random(1, #requests)]
end
