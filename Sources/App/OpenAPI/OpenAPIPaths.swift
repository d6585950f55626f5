import Storage

/// The `paths` of the OpenAPI document: every route, its parameters and every answer it can give.
enum OpenAPIPaths {
    typealias O = OpenAPI

    static let sharedParameters: JSONValue = [
        "page": ["name": "page", "in": "query", "description": "page number, from 1", "schema": O.integer(min: 1, max: 2_147_483_647, example: 1, format: "int32")],
        "limit": ["name": "limit", "in": "query", "description": "items per page", "schema": O.integer(min: 1, max: 100, example: 10, format: "int32")],
        "eventId": ["name": "id", "in": "path", "required": true, "schema": O.integer(min: 1, example: 1)],
        "bookingReference": ["name": "ref", "in": "path", "required": true, "schema": O.string(format: "uuid", example: "7ffcfc58-09f0-4717-932a-ab9f981db3fd")],
        "holdReference": ["name": "ref", "in": "path", "required": true, "schema": O.string(format: "uuid", example: "0193f1a2-7c4e-7b1d-9a3f-2c5d8e9f0a1b")],
        "idempotencyKey": [
            "name": "Idempotency-Key", "in": "header",
            "description": "the same key and body again replay the first answer instead of acting twice",
            "schema": O.string(min: 1, max: 255, example: "order-123"),
        ],
        "format": [
            "name": "format", "in": "query", "description": "csv: every row as text/csv, not a page (so does `Accept: text/csv`)",
            "schema": ["type": "string", "enum": ["json", "csv"]],
        ],
    ]

    /// A 200 that is a page of `pageSchema` as JSON, or the whole list as CSV.
    static func csvOrJSON(_ description: String, _ pageSchema: String) -> JSONValue {
        [
            "description": .string(description),
            "content": ["application/json": ["schema": O.ref(pageSchema)], "text/csv": ["schema": ["type": "string"]]],
        ]
    }

    static func parameter(_ name: String) -> JSONValue { ["$ref": .string("#/components/parameters/\(name)")] }

    static let bearer: JSONValue = [["bearerAuth": []]]
    static let unauthorized = O.error("no valid bearer token (missing, malformed, expired, or its user is gone)")
    static let forbidden = O.error("authenticated, but not allowed (wrong role or not the owner)")
    static let invalid = O.error("validation failed (`VALIDATION_FAILED`, with details per field) or malformed JSON (`INVALID_JSON`)")
    static let busy = O.error("every password hashing place is taken (`BUSY`), with `Retry-After`")
    static let storageUnavailable = O.error("nothing can be stored right now (`STORAGE_FULL`, `STORAGE_UNAVAILABLE`), with `Retry-After`")

    /// The answers every operation with a JSON body can give besides its own.
    static func withBodyErrors(_ responses: [String: JSONValue]) -> JSONValue {
        var all = responses
        all["400"] = all["400"] ?? invalid
        all["413"] = O.error("the body is larger than 64 KiB")
        all["415"] = O.error("the body is not declared as application/json")
        return .object(all)
    }

    /// `POST /bookings` and `POST /holds`: the same rules of the event's seats, with their own 201.
    static func seatRequestResponses(created: JSONValue) -> JSONValue {
        withBodyErrors([
            "201": created,
            "400": O.error("validation failed, event not published (`EVENT_NOT_BOOKABLE`) or already past (`EVENT_IN_PAST`)"),
            "401": unauthorized,
            "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
            "409": O.error("not enough seats (`SEATS_UNAVAILABLE`) or past the per-person cap (`USER_SEAT_LIMIT`)"),
            "422": O.error("the Idempotency-Key was used with another body (`IDEMPOTENCY_KEY_REUSED`)"),
            "429": O.error("too many bookings and holds by this user in the window (`TOO_MANY_REQUESTS`, with `Retry-After`)"),
            "503": storageUnavailable,
        ])
    }

    static func operation(
        _ id: String, _ tag: String, _ summary: String, secured: Bool = false, parameters: [JSONValue] = [], body: JSONValue? = nil,
        responses: JSONValue
    ) -> JSONValue {
        var operation: [String: JSONValue] = [
            "operationId": .string(id), "tags": [.string(tag)], "summary": .string(summary), "responses": responses,
        ]
        if secured { operation["security"] = bearer }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body { operation["requestBody"] = body }
        return .object(operation)
    }

    static let all: JSONValue = [
        "/auth/send-code": [
            "post": operation(
                "sendCode", "Auth", "Mail a 6-digit registration code to an address not yet registered (delivered in the background)",
                body: O.body("SendCodeRequest", example: ["email": "olivia@example.com", "type": "register"]),
                responses: withBodyErrors([
                    "200": O.response("the code was sent", "CodeSent"),
                    "409": O.error("the address is already registered (`EMAIL_IN_USE`)"),
                    "429": O.error(
                        "a code was sent less than the cooldown ago (`OTP_RESEND_TOO_SOON`), the address is blocked (`OTP_BLOCKED`), "
                            + "or this client sent too many auth requests (`TOO_MANY_REQUESTS`, with `Retry-After`)"),
                ]))
        ],
        "/auth/register": [
            "post": operation(
                "register", "Auth", "Create an account with the mailed code",
                body: O.body(
                    "RegisterRequest",
                    example: [
                        "firstname": "Olivia", "lastname": "Organizer", "email": "olivia@example.com", "password": "Str0ng!Pass",
                        "country": "Germany", "emailVerificationCode": "123456", "role": "ORGANIZER",
                    ]),
                responses: withBodyErrors([
                    "201": O.response("registered; the token logs the new user in", "AccessToken"),
                    "403": O.error("ORGANIZER asked for while organizer sign-up is closed (`ORGANIZER_SIGNUP_CLOSED`)"),
                    "409": O.error("the address is already registered (`EMAIL_IN_USE`)"),
                    "422": O.error("wrong (`OTP_INVALID`) or expired (`OTP_EXPIRED`) code; `meta.email` has retries and maxRetries"),
                    "429": O.error(
                        "too many wrong codes or sends: the address is blocked (`OTP_BLOCKED`); or this client sent too many auth requests "
                            + "(`TOO_MANY_REQUESTS`, with `Retry-After`)"),
                    "503": busy,
                ]))
        ],
        "/auth/login": [
            "post": operation(
                "login", "Auth", "Exchange email and password for a token",
                body: O.body("LoginRequest", example: ["email": "olivia@example.com", "password": "Str0ng!Pass"]),
                responses: withBodyErrors([
                    "200": O.response("logged in", "AccessToken"),
                    "401": O.error("unknown email or wrong password, answered alike (`INVALID_CREDENTIALS`)"),
                    "429": O.error(
                        "too many failed logins for this account, so even the right password waits (`TOO_MANY_REQUESTS`, with `Retry-After`), "
                            + "or too many auth requests from this client"),
                    "503": busy,
                ]))
        ],
        "/auth/me": [
            "get": operation(
                "me", "Auth", "The caller's own profile", secured: true,
                responses: ["200": O.response("the profile, email included", "Profile"), "401": unauthorized])
        ],
        "/events": [
            "get": operation(
                "listEvents", "Events", "Published events (and the caller's own drafts), newest first",
                parameters: [
                    parameter("page"), parameter("limit"),
                    ["name": "status", "in": "query", "schema": O.enumeration(EventStatus.self)],
                    ["name": "organizerId", "in": "query", "schema": O.integer(min: 1)],
                    ["name": "from", "in": "query", "description": "earliest eventDate", "schema": O.string(format: "date-time")],
                    ["name": "to", "in": "query", "description": "latest eventDate", "schema": O.string(format: "date-time")],
                ],
                responses: ["200": O.response("a page of events", "EventPage"), "400": invalid]),
            "post": operation(
                "createEvent", "Events", "Create an event (organizers); it starts as a DRAFT unless published", secured: true,
                body: O.body("EventCreate", example: ["title": "Jazz Night", "totalSeats": 50, "status": "PUBLISHED", "eventDate": "2027-06-01T19:00:00Z"]),
                responses: withBodyErrors(["201": O.response("created", "Event"), "401": unauthorized, "403": forbidden])),
        ],
        "/events/{id}": [
            "parameters": [parameter("eventId")],
            "get": operation(
                "getEvent", "Events", "One event; another organizer's draft is not found",
                responses: ["200": O.response("the event", "Event"), "400": invalid, "404": O.error("no such event (`EVENT_NOT_FOUND`)")]),
            "put": operation(
                "updateEvent", "Events", "Change an own event (version-guarded: never loses a concurrent booking)", secured: true,
                body: O.body("EventUpdate", example: ["status": "PUBLISHED", "totalSeats": 60]),
                responses: withBodyErrors([
                    "200": O.response("the updated event", "Event"), "401": unauthorized, "403": forbidden,
                    "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                    "400": O.error("validation failed, seats below the booked ones (`SEATS_BELOW_BOOKED`), or a final event (`EVENT_NOT_EDITABLE`)"),
                    "503": storageUnavailable,
                ])),
            "delete": operation(
                "deleteEvent", "Events", "Delete an own event that was never booked", secured: true,
                responses: [
                    "200": O.response("deleted", "EventDeleted"), "401": unauthorized, "403": forbidden,
                    "400": O.error("malformed id, or the event has bookings (`EVENT_HAS_BOOKINGS`): cancel it instead"),
                    "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                ]),
        ],
        "/events/{id}/attendees": [
            "parameters": [parameter("eventId")],
            "get": operation(
                "listAttendees", "Organizers", "The confirmed bookings of an own event with their bookers, in booking order", secured: true,
                parameters: [parameter("page"), parameter("limit"), parameter("format")],
                responses: [
                    "200": csvOrJSON("a page of attendees, or every attendee as CSV (cells a spreadsheet would run as formulas begin with ')", "AttendeePage"),
                    "400": invalid, "401": unauthorized, "403": forbidden, "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                ])
        ],
        "/events/{id}/ledger": [
            "parameters": [parameter("eventId")],
            "get": operation(
                "seatLedger", "Organizers", "Every change of an own event's available seats, oldest first; the deltas sum to availableSeats",
                secured: true, parameters: [parameter("page"), parameter("limit"), parameter("format")],
                responses: [
                    "200": csvOrJSON("a page of ledger entries, or the whole ledger as CSV", "SeatLedgerPage"),
                    "400": invalid, "401": unauthorized, "403": forbidden, "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                ])
        ],
        "/events/{id}/stats": [
            "parameters": [parameter("eventId")],
            "get": operation(
                "eventStats", "Organizers", "An own event's seats (total, booked, held, available, checked in) and bookings per day",
                secured: true,
                responses: [
                    "200": O.response("the numbers", "EventStats"), "400": invalid, "401": unauthorized, "403": forbidden,
                    "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                ])
        ],
        "/events/{id}/availability": [
            "parameters": [parameter("eventId")],
            "get": operation(
                "watchAvailability", "Events",
                """
                The event's seats, live, as Server-Sent Events (`text/event-stream`): one message at once with the current count, \
                then one after every commit that changes it. Each `data:` line is a JSON object {"eventId", "availableSeats", \
                "status"}; a comment line (`: keep-alive`) comes every 15 s. A slow reader gets the newest count and misses the ones \
                in between. The stream stays open until the client leaves or the service stops
                """,
                responses: [
                    "200": [
                        "description": "an endless stream of events",
                        "content": [
                            "text/event-stream": [
                                "schema": O.string(
                                    "messages: `data: {\"eventId\":1,\"availableSeats\":48,\"status\":\"PUBLISHED\"}` and a blank line",
                                    example: "data: {\"eventId\":1,\"availableSeats\":48,\"status\":\"PUBLISHED\"}\n\n")
                            ]
                        ],
                    ],
                    "400": invalid,
                    "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                    "503": O.error("`SSE_MAX_CLIENTS` streams are open already (`TOO_MANY_STREAMS`), with `Retry-After`"),
                ])
        ],
        "/events/{id}/waitlist": [
            "parameters": [parameter("eventId")],
            "post": operation(
                "joinWaitlist", "Waitlist",
                """
                Wait for seats of an event that has fewer available than asked, a group as one entry. When seats come back they are \
                offered in order, as a hold (mailed); an entry that does not fit keeps its place, and later smaller entries may pass it
                """,
                secured: true, body: O.body("WaitlistJoin", example: ["seatCount": 3]),
                responses: withBodyErrors([
                    "201": O.response("in line", "WaitlistEnvelope"),
                    "400": O.error(
                        "validation failed (also more seats than the event has), event not published (`EVENT_NOT_BOOKABLE`) or past (`EVENT_IN_PAST`)"),
                    "401": unauthorized,
                    "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                    "409": O.error(
                        "the seats are available: book instead (`SEATS_AVAILABLE`); already in line (`ALREADY_ON_WAITLIST`); past the cap (`USER_SEAT_LIMIT`)"),
                    "503": storageUnavailable,
                ])),
            "get": operation(
                "listWaitlist", "Organizers", "The whole waitlist of an own event, every status, in the order people joined", secured: true,
                parameters: [parameter("page"), parameter("limit")],
                responses: [
                    "200": O.response("a page of entries", "WaitlistPage"), "400": invalid, "401": unauthorized, "403": forbidden,
                    "404": O.error("no such event (`EVENT_NOT_FOUND`)"),
                ]),
        ],
        "/events/{id}/waitlist/me": [
            "parameters": [parameter("eventId")],
            "get": operation(
                "myWaitlistEntry", "Waitlist", "The caller's latest entry on the event's waitlist, whatever its status", secured: true,
                responses: [
                    "200": O.response("the entry", "WaitlistEntry"), "400": invalid, "401": unauthorized,
                    "404": O.error("no such event (`EVENT_NOT_FOUND`) or no entry (`WAITLIST_ENTRY_NOT_FOUND`)"),
                ]),
            "delete": operation(
                "leaveWaitlist", "Waitlist", "Leave the waitlist; an offer the caller had is given back and serves the next entries",
                secured: true,
                responses: [
                    "200": O.response("left", "WaitlistEnvelope"), "400": invalid, "401": unauthorized,
                    "404": O.error("not waiting for this event (`WAITLIST_ENTRY_NOT_FOUND`)"), "503": storageUnavailable,
                ]),
        ],
        "/holds": [
            "post": operation(
                "createHold", "Holds",
                "Hold seats of a published, future event for the event's holdDurationSeconds: they leave availableSeats at once",
                secured: true, parameters: [parameter("idempotencyKey")],
                body: O.body("HoldCreate", example: ["eventId": 1, "seatCount": 2]),
                responses: seatRequestResponses(created: O.response("held (or the replay of the first answer for this Idempotency-Key)", "HoldEnvelope")))
        ],
        "/holds/{ref}": [
            "parameters": [parameter("holdReference")],
            "get": operation(
                "getHold", "Holds", "One hold, for its holder", secured: true,
                responses: [
                    "200": O.response("the hold", "Hold"), "401": unauthorized, "403": forbidden,
                    "404": O.error("no such hold (`HOLD_NOT_FOUND`)"),
                ]),
            "delete": operation(
                "releaseHold", "Holds", "Give an active hold back: its seats return at once (to the waitlist first)", secured: true,
                responses: [
                    "200": O.response("released", "HoldEnvelope"), "401": unauthorized, "403": forbidden,
                    "404": O.error("no such hold (`HOLD_NOT_FOUND`)"),
                    "409": O.error("already confirmed or released (`HOLD_NOT_ACTIVE`)"),
                    "410": O.error("past its expiresAt: the seats are back already (`HOLD_EXPIRED`)"),
                    "503": storageUnavailable,
                ]),
        ],
        "/holds/{ref}/confirm": [
            "parameters": [parameter("holdReference")],
            "post": operation(
                "confirmHold", "Holds", "Turn an active hold into a confirmed booking of its seats", secured: true,
                responses: [
                    "201": O.response("booked", "BookingEnvelope"),
                    "400": O.error("the event is no longer bookable (`EVENT_NOT_BOOKABLE`) or past (`EVENT_IN_PAST`)"),
                    "401": unauthorized, "403": forbidden,
                    "404": O.error("no such hold (`HOLD_NOT_FOUND`)"),
                    "409": O.error("already confirmed or released (`HOLD_NOT_ACTIVE`)"),
                    "410": O.error("past its expiresAt, even before the sweep has run (`HOLD_EXPIRED`)"),
                    "503": storageUnavailable,
                ]),
        ],
        "/events/organizer/my-events": [
            "get": operation(
                "myEvents", "Events", "The caller's own events of every status (organizers)", secured: true,
                parameters: [parameter("page"), parameter("limit"), ["name": "status", "in": "query", "schema": O.enumeration(EventStatus.self)]],
                responses: ["200": O.response("a page of events", "EventPage"), "400": invalid, "401": unauthorized, "403": forbidden])
        ],
        "/bookings": [
            "post": operation(
                "createBooking", "Bookings", "Book seats of a published, future event", secured: true,
                parameters: [parameter("idempotencyKey")],
                body: O.body("BookingCreate", example: ["eventId": 1, "seatCount": 2]),
                responses: seatRequestResponses(
                    created: O.response("confirmed (or the replay of the first answer for this Idempotency-Key)", "BookingEnvelope"))),
            "get": operation(
                "listBookings", "Bookings", "The caller's own bookings, newest first", secured: true,
                parameters: [parameter("page"), parameter("limit"), ["name": "status", "in": "query", "schema": O.enumeration(BookingStatus.self)]],
                responses: ["200": O.response("a page of bookings", "BookingPage"), "400": invalid, "401": unauthorized]),
        ],
        "/bookings/{ref}": [
            "parameters": [parameter("bookingReference")],
            "get": operation(
                "getBooking", "Bookings", "One booking, for its booker or the event's organizer", secured: true,
                responses: [
                    "200": O.response("the booking", "Booking"), "401": unauthorized, "403": forbidden,
                    "404": O.error("no such booking (`BOOKING_NOT_FOUND`)"),
                ]),
            "delete": operation(
                "cancelBooking", "Bookings", "Cancel an own booking; its seats are released at once", secured: true,
                responses: [
                    "200": O.response("cancelled", "BookingEnvelope"), "401": unauthorized, "403": forbidden,
                    "400": O.error("already cancelled (`BOOKING_ALREADY_CANCELLED`) or the event is past (`EVENT_IN_PAST`)"),
                    "404": O.error("no such booking (`BOOKING_NOT_FOUND`)"),
                    "503": storageUnavailable,
                ]),
        ],
        "/bookings/{ref}/check-in": [
            "parameters": [parameter("bookingReference")],
            "post": operation(
                "checkIn", "Organizers", "Check a booking in at the door (the event's organizer); again answers the same checkedInAt",
                secured: true,
                responses: [
                    "200": O.response("the booking, checked in", "Booking"), "401": unauthorized, "403": forbidden,
                    "404": O.error("no such booking (`BOOKING_NOT_FOUND`)"),
                    "409": O.error("the booking is cancelled (`BOOKING_CANCELLED`)"),
                    "503": storageUnavailable,
                ])
        ],
        "/health/live": [
            "get": operation(
                "liveness", "Operations", "Whether the process runs; touches no database",
                responses: ["200": O.response("the process runs", "Health")])
        ],
        "/health/ready": [
            "get": operation(
                "readiness", "Operations", "Whether the database answers (one O(1) read)",
                responses: ["200": O.response("ready", "Health"), "503": O.response("the database does not answer", "Health")])
        ],
        "/health": [
            "get": operation(
                "health", "Operations", "The same as /health/ready",
                responses: ["200": O.response("ready", "Health"), "503": O.response("the database does not answer", "Health")])
        ],
        "/metrics": [
            "get": operation(
                "metrics", "Operations",
                "Prometheus metrics: with METRICS_TOKEN set, for its bearer only; unset, for clients on loopback only (404 for others)",
                responses: [
                    "200": ["description": "the metrics in Prometheus' text format", "content": ["text/plain": ["schema": ["type": "string"]]]],
                    "401": O.error("METRICS_TOKEN is set and this is not it (`UNAUTHORIZED`)"),
                    "404": O.error("not on loopback and no METRICS_TOKEN set, or metrics are off (`NOT_FOUND`)"),
                ])
        ],
        "/api-spec-json": [
            "get": operation(
                "openAPIDocument", "Operations", "This OpenAPI document",
                responses: ["200": ["description": "the document", "content": ["application/json": ["schema": ["type": "object"]]]]])
        ],
        "/api-spec": [
            "get": operation(
                "swaggerUI", "Operations", "Swagger UI for this document",
                responses: ["200": ["description": "the page", "content": ["text/html": ["schema": ["type": "string"]]]]])
        ],
        "/api-spec/assets/{file}": [
            "get": operation(
                "swaggerUIAsset", "Operations", "Swagger UI's scripts and styles, served from the installed package",
                parameters: [["name": "file", "in": "path", "required": true, "schema": O.string(example: "swagger-ui-bundle.js")]],
                responses: [
                    "200": [
                        "description": "the asset",
                        "content": ["application/javascript": ["schema": ["type": "string"]], "text/css": ["schema": ["type": "string"]]],
                    ],
                    "404": O.error("no such asset, or Swagger UI is not installed (`NOT_FOUND`)"),
                ])
        ],
    ]
}
