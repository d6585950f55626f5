import Storage

/// The OpenAPI 3.0 document of the API, served at `/api-spec-json`.
///
/// Written by hand next to the code it describes, and tied to it by tests: AppTests checks that every
/// route the router knows is documented and every documented route exists, and `make test` runs
/// schemathesis against the live server, which fails on any 5xx or any answer (status, content type,
/// body) the document does not allow.
enum OpenAPIDocument {
    static func make(maxSeatsPerBooking: Int) -> JSONValue {
        [
            "openapi": "3.0.3",
            "info": [
                "title": "Event Booking API",
                "version": "1.0.0",
                "description": """
                    Organizers publish events with a fixed number of seats; people register with an emailed one-time \
                    code, log in, book seats and cancel their bookings. Never a double booking. Every error has the \
                    body `{statusCode, error, message, code}`; validation errors add `details`, one entry per field.
                    """,
            ],
            "servers": [["url": "http://localhost:9001", "description": "the default local server"]],
            "tags": [
                ["name": "Auth", "description": "One-time codes, registration, login"],
                ["name": "Events", "description": "The public catalogue and the organizer's events"],
                ["name": "Bookings", "description": "Booking and cancelling seats"],
                ["name": "Holds", "description": "Seats held for a while (the event's holdDurationSeconds), then confirmed or given back"],
                ["name": "Waitlist", "description": "Waiting for seats of a sold-out event; seats that come back are offered in order, as holds"],
                ["name": "Organizers", "description": "Running an event: attendees, check-in, the seat ledger"],
                ["name": "Operations", "description": "Health and this documentation"],
            ],
            "paths": OpenAPIPaths.all,
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": OpenAPISchemas.all(maxSeatsPerBooking: maxSeatsPerBooking),
                "parameters": OpenAPIPaths.sharedParameters,
            ],
        ]
    }
}

/// Small builders shared by the paths and schemas of the document.
enum OpenAPI {
    static func ref(_ schema: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(schema)")] }

    static func json(_ schema: JSONValue, example: JSONValue? = nil) -> JSONValue {
        var media: [String: JSONValue] = ["schema": schema]
        if let example { media["example"] = example }
        return ["application/json": .object(media)]
    }

    static func response(_ description: String, _ schema: String, example: JSONValue? = nil) -> JSONValue {
        ["description": .string(description), "content": json(ref(schema), example: example)]
    }

    static func error(_ description: String) -> JSONValue {
        response(description, "Error")
    }

    static func body(_ schema: String, example: JSONValue) -> JSONValue {
        ["required": true, "content": json(ref(schema), example: example)]
    }

    static func string(_ description: String? = nil, format: String? = nil, min: Int? = nil, max: Int? = nil, example: JSONValue? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "string"]
        if let description { schema["description"] = .string(description) }
        if let format { schema["format"] = .string(format) }
        if let min { schema["minLength"] = .integer(Int64(min)) }
        if let max { schema["maxLength"] = .integer(Int64(max)) }
        if let example { schema["example"] = example }
        return .object(schema)
    }

    static func integer(min: Int? = nil, max: Int? = nil, example: Int? = nil, format: String = "int64") -> JSONValue {
        var schema: [String: JSONValue] = ["type": "integer", "format": .string(format)]
        if let min { schema["minimum"] = .integer(Int64(min)) }
        if let max { schema["maximum"] = .integer(Int64(max)) }
        if let example { schema["example"] = .integer(Int64(example)) }
        return .object(schema)
    }

    static func enumeration<Value: RawRepresentable & CaseIterable>(_: Value.Type) -> JSONValue where Value.RawValue == String {
        ["type": "string", "enum": .array(Value.allCases.map { .string($0.rawValue) })]
    }

    static func object(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) })]
    }

    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var fields) = schema else { return schema }
        fields["nullable"] = true
        return .object(fields)
    }
}
