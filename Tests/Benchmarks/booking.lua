-- wrk script: POST /bookings for one seat, on an event drawn from BENCH_EVENT_FIRST .. +BENCH_EVENT_COUNT-1.
-- One event: every request races every other on the same version guard (the worst case).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local first = tonumber(os.getenv("BENCH_EVENT_FIRST"))
local count = tonumber(os.getenv("BENCH_EVENT_COUNT"))

request = function()
    local id = first + math.random(0, count - 1)
    return wrk.format(nil, nil, nil, '{"eventId": ' .. id .. ', "seatCount": 1}')
end
