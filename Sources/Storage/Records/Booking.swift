import Foundation
import GRDB

/// A booking is `CONFIRMED` from its commit until it is cancelled.
public enum BookingStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case confirmed = "CONFIRMED"
    case cancelled = "CANCELLED"
}

/// A row of `bookings`.
public struct Booking: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "bookings"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var bookingReference: String
    public var eventId: Int64
    public var userId: Int64
    public var seatCount: Int
    public var status: BookingStatus
    public var createdAt: Date
    public var updatedAt: Date
    /// When the event's organizer checked the booker in; set once.
    public var checkedInAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Booking {
    /// Decodes by column name without Codable, which costs several times more on the hot path.
    public init(row: Row) throws {
        id = row["id"]
        bookingReference = row["booking_reference"]
        eventId = row["event_id"]
        userId = row["user_id"]
        seatCount = row["seat_count"]
        status = row["status"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        checkedInAt = row["checked_in_at"]
    }
}

extension Booking {
    /// The columns `init(_:from:)` reads, in its order.
    static let columnList =
        "bookings.id, bookings.booking_reference, bookings.event_id, bookings.user_id, bookings.seat_count, bookings.status, "
        + "bookings.created_at, bookings.updated_at, bookings.checked_in_at"

    /// Decodes the current row of a statement that selects `columnList` from `first` on, by index
    /// (`SQLiteColumns`). Nil when a column holds what the schema does not allow.
    init?(_ columns: SQLiteColumns, from first: CInt) {
        guard let id = columns.int64(first), let reference = columns.text(first + 1), let eventId = columns.int64(first + 2),
            let userId = columns.int64(first + 3), let seatCount = columns.integer(first + 4),
            let status = columns.text(first + 5).flatMap(BookingStatus.init(rawValue:)), let createdAt = columns.date(first + 6),
            let updatedAt = columns.date(first + 7), let checkedInAt = columns.optionalDate(first + 8)
        else { return nil }
        self.init(
            id: id, bookingReference: reference, eventId: eventId, userId: userId, seatCount: seatCount, status: status,
            createdAt: createdAt, updatedAt: updatedAt, checkedInAt: checkedInAt)
    }
}

/// A booking with the summary of its event that every answer shows.
public struct BookingDetails: Sendable, Equatable {
    public var booking: Booking
    public var eventTitle: String
    public var eventDate: Date?
    public var eventStatus: EventStatus
    public var eventOrganizerId: Int64

    init(booking: Booking, event: Event) {
        self.booking = booking
        self.eventTitle = event.title
        self.eventDate = event.eventDate
        self.eventStatus = event.status
        self.eventOrganizerId = event.organizerId
    }

    /// Decodes a row of `BookingDetails.selectSQL`.
    init(row: Row) throws {
        self.booking = try Booking(row: row)
        self.eventTitle = row["event_title"]
        self.eventDate = row["event_date"]
        self.eventStatus = row["event_status"]
        self.eventOrganizerId = row["event_organizer_id"]
    }

    /// The columns `init(_:from:)` reads, in its order.
    static let columnList = "\(Booking.columnList), events.title, events.event_date, events.status, events.organizer_id"

    /// Decodes the current row of a statement that selects `columnList` (bookings joined with their events) from
    /// `first` on, by index (`SQLiteColumns`). Nil when a column holds what the schema does not allow.
    init?(_ columns: SQLiteColumns, from first: CInt) {
        guard let booking = Booking(columns, from: first), let eventTitle = columns.text(first + 9),
            let eventDate = columns.optionalDate(first + 10), let eventStatus = columns.text(first + 11).flatMap(EventStatus.init(rawValue:)),
            let eventOrganizerId = columns.int64(first + 12)
        else { return nil }
        self.booking = booking
        self.eventTitle = eventTitle
        self.eventDate = eventDate
        self.eventStatus = eventStatus
        self.eventOrganizerId = eventOrganizerId
    }

    static let selectSQL = """
        SELECT bookings.*, events.title AS event_title, events.event_date AS event_date,
               events.status AS event_status, events.organizer_id AS event_organizer_id
        FROM bookings JOIN events ON events.id = bookings.event_id
        """
}

/// The caller's key for a retried `POST /bookings` and a hash of the body it came with.
public struct IdempotencyRequest: Sendable {
    public var key: String
    public var requestHash: String

    public init(key: String, requestHash: String) {
        self.key = key
        self.requestHash = requestHash
    }
}

/// What a booking request came to.
public enum BookingOutcome: Sendable {
    /// A new booking, committed after `attempts` tries of the guarded write.
    case created(BookingDetails, attempts: Int)
    /// The same idempotency key and body were seen before: the booking that key made, as it is now.
    case replayed(BookingDetails)
}
