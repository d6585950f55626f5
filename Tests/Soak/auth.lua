-- wrk script for `make soak`: logging in (one password hash each) and sending registration codes to new
-- addresses (one code and one mail each), in turn. SOAK_LOGIN_EMAIL logs in with Password123!.
local email = os.getenv("SOAK_LOGIN_EMAIL")
local sent = 0
-- wrk starts every minute again: the run's start time keeps each minute's addresses new.
local run = os.time()

request = function()
    sent = sent + 1
    local headers = { ["Content-Type"] = "application/json" }
    if sent % 2 == 0 then
        return wrk.format("POST", "/auth/login", headers, '{"email": "' .. email .. '", "password": "Password123!"}')
    end
    local address = "soak-" .. run .. "-" .. sent .. "@example.com"
    return wrk.format("POST", "/auth/send-code", headers, '{"email": "' .. address .. '", "type": "register"}')
end
