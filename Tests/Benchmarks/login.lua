-- wrk script: POST /auth/login with a wrong password for a seeded user: every request costs a password hash
-- (or a 503 BUSY when every hashing place is taken).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email": "alice@example.com", "password": "Wrong-Password-1"}'
