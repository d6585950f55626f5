import Storage

/// The `components/schemas` of the OpenAPI document: request bodies, answers and the error body.
enum OpenAPISchemas {
    typealias O = OpenAPI

    static let timestamp = O.string("ISO 8601 in UTC", format: "date-time", example: "2026-12-31T18:00:00Z")
    static let holdDuration: JSONValue = [
        "type": "integer", "minimum": 5, "maximum": 7200, "format": "int64", "example": 600,
        "description": "how long a hold on the event lasts, in seconds (default: the server's HOLD_DEFAULT_SECONDS)",
    ]
    static let maxSeatsPerUser = O.nullable([
        "type": "integer", "minimum": 1, "maximum": 1_000_000, "format": "int64", "example": 4,
        "description": "the most seats one person may have on the event, bookings and active holds together, at most totalSeats; null: no cap",
    ])

    static func all(maxSeatsPerBooking: Int) -> JSONValue {
        [
            "Error": O.object(
                [
                    "statusCode": O.integer(min: 400, max: 599, example: 409, format: "int32"),
                    "error": O.string("the status's reason phrase", example: "Conflict"),
                    "message": O.string(example: "Not enough seats available. Requested: 3, Available: 2"),
                    "code": O.string("stable, machine-readable", example: "SEATS_UNAVAILABLE"),
                    "details": ["type": "array", "items": O.ref("FieldProblem"), "description": "validation errors: one per bad field"],
                    "meta": ["type": "object", "description": "extra facts, e.g. one-time code retries"],
                ], required: ["statusCode", "error", "message", "code"]),
            "FieldProblem": O.object(
                ["field": O.string(example: "seatCount"), "message": O.string(example: "seatCount must be an integer")],
                required: ["field", "message"]),
            "SendCodeRequest": O.object(
                ["email": O.string(format: "email", max: 254, example: "olivia@example.com"), "type": ["type": "string", "enum": ["register"]]],
                required: ["email", "type"]),
            "CodeSent": O.object(
                [
                    "email": O.object(
                        [
                            "sentAt": timestamp,
                            "timeout": O.integer(min: 0, example: 600_000),
                            "attempt": O.integer(min: 1, example: 1),
                            "maxAttempt": O.integer(min: 1, example: 10),
                        ], required: ["sentAt", "timeout", "attempt", "maxAttempt"])
                ], required: ["email"]),
            "RegisterRequest": O.object(
                [
                    "firstname": O.string(min: 1, max: 100, example: "Olivia"),
                    "lastname": O.string(min: 1, max: 100, example: "Organizer"),
                    "email": O.string(format: "email", max: 254, example: "olivia@example.com"),
                    "password": O.string("8-128 characters with a lowercase, an uppercase, a digit and a symbol", min: 8, max: 128, example: "Str0ng!Pass"),
                    "country": O.string(min: 1, max: 100, example: "Germany"),
                    "emailVerificationCode": O.string("the 6-digit code from the mail", min: 1, max: 64, example: "123456"),
                    "role": O.enumeration(UserRole.self),
                ], required: ["firstname", "lastname", "email", "password", "country", "emailVerificationCode"]),
            "LoginRequest": O.object(
                ["email": O.string(min: 1, max: 254, example: "olivia@example.com"), "password": O.string(min: 1, max: 1024, example: "Str0ng!Pass")],
                required: ["email", "password"]),
            "AccessToken": O.object(
                ["accessToken": O.string("a JWT (HS256)", example: "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9..."), "type": ["type": "string", "enum": ["user"]]],
                required: ["accessToken", "type"]),
            "Profile": O.object(
                [
                    "id": O.integer(min: 1), "email": O.string(format: "email"), "firstname": O.string(), "lastname": O.string(),
                    "country": O.string(), "role": O.enumeration(UserRole.self), "createdAt": timestamp, "updatedAt": timestamp,
                ], required: ["id", "email", "firstname", "lastname", "country", "role", "createdAt", "updatedAt"]),
            "EventCreate": O.object(
                [
                    "title": O.string(min: 1, max: 200, example: "Jazz Night"),
                    "description": O.nullable(O.string(max: 5000, example: "Bring a blanket.")),
                    "totalSeats": O.integer(min: 1, max: 1_000_000, example: 50),
                    "status": ["type": "string", "enum": ["DRAFT", "PUBLISHED"], "default": "DRAFT"],
                    "eventDate": O.nullable(timestamp),
                    "holdDurationSeconds": holdDuration,
                    "maxSeatsPerUser": maxSeatsPerUser,
                ], required: ["title", "totalSeats"]),
            "EventUpdate": [
                "type": "object", "minProperties": 1,
                "description": """
                    Any subset of the fields, at least one. totalSeats may not fall below the booked and held seats; seats added \
                    serve the waitlist; CANCELLED cancels every booking and releases every hold. A new holdDurationSeconds applies \
                    to holds made from then on; a lower maxSeatsPerUser refuses new seats only.
                    """,
                "properties": [
                    "title": O.string(min: 1, max: 200), "description": O.nullable(O.string(max: 5000)),
                    "totalSeats": O.integer(min: 1, max: 1_000_000), "status": O.enumeration(EventStatus.self), "eventDate": O.nullable(timestamp),
                    "holdDurationSeconds": holdDuration, "maxSeatsPerUser": maxSeatsPerUser,
                ],
            ],
            "Event": O.object(
                [
                    "id": O.integer(min: 1, example: 1), "title": O.string(example: "Jazz Night"), "description": O.nullable(O.string()),
                    "totalSeats": O.integer(min: 1, example: 50), "availableSeats": O.integer(min: 0, example: 48),
                    "status": O.enumeration(EventStatus.self), "eventDate": O.nullable(timestamp), "organizerId": O.integer(min: 1),
                    "organizer": O.object(["id": O.integer(min: 1), "firstname": O.string(), "lastname": O.string()], required: ["id", "firstname", "lastname"]),
                    "version": O.integer(min: 0), "createdAt": timestamp, "updatedAt": timestamp,
                    "holdDurationSeconds": holdDuration, "maxSeatsPerUser": maxSeatsPerUser,
                ],
                required: [
                    "id", "title", "description", "totalSeats", "availableSeats", "status", "eventDate", "organizerId", "organizer", "version",
                    "createdAt", "updatedAt", "holdDurationSeconds", "maxSeatsPerUser",
                ]),
            "EventPage": O.object(["data": ["type": "array", "items": O.ref("Event")], "meta": O.ref("PageMeta")], required: ["data", "meta"]),
            "EventDeleted": O.object(
                ["message": O.string(example: "Event deleted successfully"), "eventId": O.integer(min: 1, example: 1)], required: ["message", "eventId"]),
            "PageMeta": O.object(
                ["total": O.integer(min: 0), "page": O.integer(min: 1), "limit": O.integer(min: 1, max: 100), "totalPages": O.integer(min: 0)],
                required: ["total", "page", "limit", "totalPages"]),
            "BookingCreate": O.object(
                ["eventId": O.integer(min: 1, example: 1), "seatCount": O.integer(min: 1, max: maxSeatsPerBooking, example: 2)],
                required: ["eventId", "seatCount"]),
            "Booking": O.object(
                [
                    "id": O.integer(min: 1), "bookingReference": O.string(format: "uuid", example: "7ffcfc58-09f0-4717-932a-ab9f981db3fd"),
                    "eventId": O.integer(min: 1), "userId": O.integer(min: 1), "seatCount": O.integer(min: 1, example: 2),
                    "status": O.enumeration(BookingStatus.self), "createdAt": timestamp, "updatedAt": timestamp,
                    "checkedInAt": O.nullable(timestamp),
                    "event": O.object(
                        ["id": O.integer(min: 1), "title": O.string(), "eventDate": O.nullable(timestamp), "status": O.enumeration(EventStatus.self)],
                        required: ["id", "title", "eventDate", "status"]),
                ], required: ["id", "bookingReference", "eventId", "userId", "seatCount", "status", "createdAt", "updatedAt", "checkedInAt", "event"]),
            "BookingEnvelope": O.object(
                ["success": ["type": "boolean", "enum": [true]], "message": O.string(example: "Booking confirmed successfully"), "data": O.ref("Booking")],
                required: ["success", "message", "data"]),
            "BookingPage": O.object(["data": ["type": "array", "items": O.ref("Booking")], "meta": O.ref("PageMeta")], required: ["data", "meta"]),
            "HoldCreate": O.object(
                ["eventId": O.integer(min: 1, example: 1), "seatCount": O.integer(min: 1, max: maxSeatsPerBooking, example: 2)],
                required: ["eventId", "seatCount"]),
            "Hold": O.object(
                [
                    "holdReference": O.string(format: "uuid", example: "0193f1a2-7c4e-7b1d-9a3f-2c5d8e9f0a1b"), "eventId": O.integer(min: 1),
                    "userId": O.integer(min: 1), "seatCount": O.integer(min: 1, example: 2), "status": O.enumeration(HoldStatus.self),
                    "expiresAt": O.string("fixed when the hold is made; nothing extends it", format: "date-time", example: "2026-12-31T18:10:00Z"),
                    "createdAt": timestamp,
                    "event": O.object(
                        ["id": O.integer(min: 1), "title": O.string(), "eventDate": O.nullable(timestamp), "status": O.enumeration(EventStatus.self)],
                        required: ["id", "title", "eventDate", "status"]),
                ], required: ["holdReference", "eventId", "userId", "seatCount", "status", "expiresAt", "createdAt", "event"]),
            "HoldEnvelope": O.object(
                ["success": ["type": "boolean", "enum": [true]], "message": O.string(example: "Seats held; confirm before expiresAt"), "data": O.ref("Hold")],
                required: ["success", "message", "data"]),
            "WaitlistJoin": O.object(["seatCount": O.integer(min: 1, max: maxSeatsPerBooking, example: 3)], required: ["seatCount"]),
            "WaitlistEntry": O.object(
                [
                    "waitlistReference": O.string(format: "uuid"), "eventId": O.integer(min: 1), "userId": O.integer(min: 1),
                    "seatCount": O.integer(min: 1, example: 3),
                    "position": O.nullable([
                        "type": "integer", "minimum": 1, "format": "int64",
                        "description": "place among the event's WAITING entries, from 1; null once the entry no longer waits",
                    ]),
                    "status": O.enumeration(WaitlistStatus.self),
                    "holdReference": O.nullable(O.string("the hold offered to this entry", format: "uuid")), "createdAt": timestamp,
                ], required: ["waitlistReference", "eventId", "userId", "seatCount", "position", "status", "holdReference", "createdAt"]),
            "WaitlistEnvelope": O.object(
                ["success": ["type": "boolean", "enum": [true]], "message": O.string(example: "You are on the waitlist"), "data": O.ref("WaitlistEntry")],
                required: ["success", "message", "data"]),
            "WaitlistPage": O.object(
                ["data": ["type": "array", "items": O.ref("WaitlistEntry")], "meta": O.ref("PageMeta")], required: ["data", "meta"]),
            "Attendee": O.object(
                [
                    "bookingReference": O.string(format: "uuid"), "seatCount": O.integer(min: 1, example: 2), "createdAt": timestamp,
                    "checkedInAt": O.nullable(timestamp),
                    "booker": O.object(
                        ["id": O.integer(min: 1), "firstname": O.string(), "lastname": O.string(), "email": O.string(format: "email")],
                        required: ["id", "firstname", "lastname", "email"]),
                ], required: ["bookingReference", "seatCount", "createdAt", "checkedInAt", "booker"]),
            "AttendeePage": O.object(["data": ["type": "array", "items": O.ref("Attendee")], "meta": O.ref("PageMeta")], required: ["data", "meta"]),
            "SeatLedgerEntry": O.object(
                [
                    "id": O.integer(min: 1), "eventId": O.integer(min: 1), "delta": O.integer(example: -2),
                    "reason": O.enumeration(SeatChangeReason.self), "availableAfter": O.integer(min: 0, example: 48),
                    "version": O.integer(min: 0), "bookingReference": O.nullable(O.string(format: "uuid")),
                    "holdReference": O.nullable(O.string(format: "uuid")), "actorId": O.nullable(O.integer(min: 1)), "createdAt": timestamp,
                ],
                required: [
                    "id", "eventId", "delta", "reason", "availableAfter", "version", "bookingReference", "holdReference", "actorId", "createdAt",
                ]),
            "SeatLedgerPage": O.object(
                ["data": ["type": "array", "items": O.ref("SeatLedgerEntry")], "meta": O.ref("PageMeta")], required: ["data", "meta"]),
            "EventStats": O.object(
                [
                    "eventId": O.integer(min: 1), "totalSeats": O.integer(min: 1, example: 50), "bookedSeats": O.integer(min: 0, example: 12),
                    "heldSeats": O.integer(min: 0, example: 0), "availableSeats": O.integer(min: 0, example: 38),
                    "checkedInSeats": O.integer(min: 0, example: 4), "confirmedBookings": O.integer(min: 0, example: 7),
                    "bookingsPerDay": [
                        "type": "array", "description": "bookings made each day (UTC), whatever became of them since",
                        "items": O.object(
                            ["date": O.string(format: "date", example: "2026-11-27"), "bookings": O.integer(min: 1), "seats": O.integer(min: 1)],
                            required: ["date", "bookings", "seats"]),
                    ],
                ],
                required: ["eventId", "totalSeats", "bookedSeats", "heldSeats", "availableSeats", "checkedInSeats", "confirmedBookings", "bookingsPerDay"]),
            "Health": O.object(["status": ["type": "string", "enum": ["ok", "unavailable"]]], required: ["status"]),
        ]
    }
}
