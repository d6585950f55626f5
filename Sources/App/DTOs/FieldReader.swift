import Foundation
import Storage

/// Reads and validates the fields of a JSON body or a query string, collecting one problem per bad field:
/// the one validation path of every request, so that a rule (lengths in Unicode scalars, say) holds everywhere.
///
/// Unknown fields are ignored. In a body a wrong type is a problem, never a coercion (`"3"` is not a number);
/// a query string has only text, so there a number is read from its digits.
struct FieldReader {
    private let object: [String: JSONValue]
    /// True for a query string, whose values are all text.
    private let isQuery: Bool
    private(set) var problems: [FieldProblem] = []

    init(_ object: [String: JSONValue]) {
        self.object = object
        self.isQuery = false
    }

    /// The parameters of a query string (the first value of each name).
    init(query: [String: String]) {
        self.object = query.mapValues { .string($0) }
        self.isQuery = true
    }

    /// Whether the body has the field at all (`null` included): the difference between "leave" and "clear".
    func has(_ field: String) -> Bool { object[field] != nil }

    mutating func string(_ field: String, required: Bool, length: ClosedRange<Int>) -> String? {
        guard let value = present(field, required: required) else { return nil }
        guard case .string(let text) = value else { return problem(field, "\(field) must be a string") }
        // SQLite's length() stops at a NUL, so the CHECK constraints would see a shorter string than this check.
        guard !text.unicodeScalars.contains("\u{0}") else { return problem(field, "\(field) must not contain NUL characters") }
        // Unicode scalars, as SQLite's length() and JSON Schema's maxLength count them.
        guard length.contains(text.unicodeScalars.count) else {
            return problem(field, "\(field) must be between \(length.lowerBound) and \(length.upperBound) characters")
        }
        return text
    }

    /// `eventId` and `seatCount` of a booking, hold or waitlist request (API body or web form), both required;
    /// each nil when missing or out of range, with its problem recorded.
    mutating func seatRequest(maxSeats: Int) -> (eventId: Int?, seatCount: Int?) {
        (integer("eventId", required: true, range: 1...Int.max), integer("seatCount", required: true, range: 1...maxSeats))
    }

    mutating func integer(_ field: String, required: Bool, range: ClosedRange<Int>) -> Int? {
        guard let value = present(field, required: required) else { return nil }
        let integer: Int?
        switch value {
        case .integer(let number): integer = Int(exactly: number)
        case .string(let text) where isQuery: integer = Int(text)
        default: integer = nil
        }
        guard let integer else { return problem(field, "\(field) must be an integer") }
        guard range.contains(integer) else {
            return problem(field, "\(field) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return integer
    }

    mutating func oneOf<Value: RawRepresentable & CaseIterable>(_ field: String, required: Bool, _: Value.Type) -> Value?
    where Value.RawValue == String {
        guard let value = present(field, required: required) else { return nil }
        guard case .string(let text) = value, let parsed = Value(rawValue: text) else {
            return problem(field, "\(field) must be one of: \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    /// A string, or `.some(nil)` for an explicit `null`: for fields an update may clear.
    mutating func nullableString(_ field: String, length: ClosedRange<Int>) -> String?? {
        guard let value = object[field] else { return nil }
        if value == .null { return .some(nil) }
        return string(field, required: true, length: length).map { .some($0) }
    }

    /// An integer, or `.some(nil)` for an explicit `null`: for limits that `null` switches off.
    mutating func nullableInteger(_ field: String, range: ClosedRange<Int>) -> Int?? {
        guard let value = object[field] else { return nil }
        if value == .null { return .some(nil) }
        return integer(field, required: true, range: range).map { .some($0) }
    }

    /// A date-time, or `.some(nil)` for an explicit `null` when `nullable`.
    mutating func dateTime(_ field: String, required: Bool, nullable: Bool) -> Date?? {
        guard let value = object[field] else {
            if required { problems.append(.init(field: field, message: "\(field) is required")) }
            return nil
        }
        if value == .null {
            if nullable { return .some(nil) }
            return problem(field, "\(field) must not be null")
        }
        guard case .string(let text) = value, let date = Timestamp.parse(text) else {
            return problem(field, "\(field) must be an ISO 8601 date-time with a time zone, like 2026-12-31T18:00:00Z")
        }
        return .some(date)
    }

    /// A plausible address, lowercased (as stored); its length is checked after lowercasing, which can grow it.
    mutating func email(_ field: String) -> String? {
        guard let text = string(field, required: true, length: 3...254)?.lowercased() else { return nil }
        guard text.unicodeScalars.count <= 254, text.wholeMatch(of: #/[^\s@]+@[^\s@]+\.[^\s@]+/#) != nil else {
            return problem(field, "\(field) must be a valid email address")
        }
        return text
    }

    /// A password of 8 to 128 characters with a lowercase, an uppercase, a digit and a symbol.
    mutating func strongPassword(_ field: String) -> String? {
        guard let text = string(field, required: true, length: 8...128) else { return nil }
        let strong =
            text.contains(where: \.isLowercase) && text.contains(where: \.isUppercase) && text.contains(where: \.isNumber)
            && text.contains(where: { !$0.isLetter && !$0.isNumber && !$0.isWhitespace })
        guard strong else {
            return problem(field, "\(field) must contain a lowercase letter, an uppercase letter, a digit and a symbol")
        }
        return text
    }

    /// Adds a problem found by the caller (a rule across fields, say).
    mutating func report(_ field: String, _ message: String) {
        problems.append(.init(field: field, message: message))
    }

    /// `?page=&limit=`: page >= 1, 1 <= limit <= 100, defaults 1 and 10; anything else is a problem, never clamped.
    mutating func page() -> PageRequest {
        PageRequest(
            page: integer("page", required: false, range: 1...Int(Int32.max)) ?? 1,
            limit: integer("limit", required: false, range: 1...100) ?? 10)
    }

    /// True when no field was bad. Handlers unwrap their required fields in the same guard, so that nothing is
    /// force-unwrapped after validation: `guard let email, fields.isValid else { throw fields.error }`.
    var isValid: Bool { problems.isEmpty }

    /// The `VALIDATION_FAILED` error with every problem found.
    var error: AppError { .validation(problems) }

    /// Throws the `VALIDATION_FAILED` error when any field was bad (for requests with no required field).
    func validate() throws {
        if !isValid { throw error }
    }

    private mutating func present(_ field: String, required: Bool) -> JSONValue? {
        switch object[field] {
        case .none, .some(.null):
            if required { problems.append(.init(field: field, message: "\(field) is required")) }
            return nil
        case .some(let value):
            return value
        }
    }

    private mutating func problem<T>(_ field: String, _ message: String) -> T? {
        problems.append(.init(field: field, message: message))
        return nil
    }
}
