-- wrk script: holds then confirms, as a buyer who holds seats before paying would. Each request is either
-- POST /holds for one seat of BENCH_EVENT_FIRST, or POST /holds/:ref/confirm for a hold an earlier answer
-- made (confirmed by its holder), whichever is waiting: two requests per booking. BENCH_TOKENS and
-- BENCH_USER_IDS (comma-separated, in the same order) name the 64 users.
local tokens, byUser = {}, {}
for token in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do tokens[#tokens + 1] = token end
local index = 1
for id in string.gmatch(os.getenv("BENCH_USER_IDS"), "[^,]+") do
    byUser[id] = tokens[index]
    index = index + 1
end
local event = os.getenv("BENCH_EVENT_FIRST")
local waiting = {}

request = function()
    local hold = table.remove(waiting)
    if hold then
        return wrk.format("POST", "/holds/" .. hold.ref .. "/confirm", { ["Authorization"] = "Bearer " .. hold.token })
    end
    local headers = {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)],
    }
    return wrk.format("POST", "/holds", headers, '{"eventId": ' .. event .. ', "seatCount": 1}')
end

response = function(status, headers, body)
    if status ~= 201 or string.find(body, '"bookingReference"', 1, true) then return end
    local ref = string.match(body, '"holdReference":"([%x%-]+)"')
    local user = string.match(body, '"userId":(%d+)')
    if ref and user then waiting[#waiting + 1] = { ref = ref, token = byUser[user] } end
end
