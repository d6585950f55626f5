-- wrk script for `make soak`: what the people of a busy evening do, mixed. SOAK_USERS_FILE has a line
-- "id:token" per user, and the events are SOAK_EVENT_FIRST .. +SOAK_EVENT_COUNT-1.
--   35% book one seat, 15% cancel a booking this thread made, 20% list events, 15% read one's own
--   bookings, 15% open an event's page.
local users, tokenOf = {}, {}
for line in io.lines(os.getenv("SOAK_USERS_FILE")) do
    local id, token = string.match(line, "(%d+):(.+)")
    if id then
        users[#users + 1] = token
        tokenOf[id] = token
    end
end
local first = tonumber(os.getenv("SOAK_EVENT_FIRST"))
local count = tonumber(os.getenv("SOAK_EVENT_COUNT"))
-- Bookings answered 201 on this thread, to cancel later: {reference, the booker's token}.
local booked = {}

local function bearer(token)
    return { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

request = function()
    local roll = math.random(100)
    local event = first + math.random(0, count - 1)
    if roll <= 35 then
        return wrk.format("POST", "/bookings", bearer(users[math.random(#users)]), '{"eventId": ' .. event .. ', "seatCount": 1}')
    elseif roll <= 50 and #booked > 0 then
        local booking = table.remove(booked, math.random(#booked))
        return wrk.format("DELETE", "/bookings/" .. booking[1], bearer(booking[2]))
    elseif roll <= 70 then
        return wrk.format("GET", "/events?page=" .. math.random(1, 3) .. "&limit=10")
    elseif roll <= 85 then
        return wrk.format("GET", "/bookings?limit=10", bearer(users[math.random(#users)]))
    else
        return wrk.format("GET", "/events/" .. event)
    end
end

response = function(status, headers, body)
    if status == 201 and #booked < 10000 then
        local reference = string.match(body, '"bookingReference":"([^"]+)"')
        local user = string.match(body, '"userId":(%d+)')
        if reference and user and tokenOf[user] then booked[#booked + 1] = { reference, tokenOf[user] } end
    end
end
