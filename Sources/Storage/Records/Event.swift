import Foundation
import GRDB

/// The life of an event. `CANCELLED` and `COMPLETED` are final.
public enum EventStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case draft = "DRAFT"
    case published = "PUBLISHED"
    case cancelled = "CANCELLED"
    case completed = "COMPLETED"

    /// True for the statuses an event never leaves.
    public var isFinal: Bool { self == .cancelled || self == .completed }
}

/// A row of `events`. `version` grows by one with every write, which is what the optimistic guard checks.
public struct Event: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "events"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var title: String
    public var description: String?
    public var totalSeats: Int
    public var availableSeats: Int
    public var status: EventStatus
    public var eventDate: Date?
    public var organizerId: Int64
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// How long a hold on this event lasts; fixed for each hold when it is made.
    public var holdDurationSeconds: Int
    /// The most seats one user may have on this event, confirmed and held together; nil: no cap.
    public var maxSeatsPerUser: Int?

    /// Seats taken: by confirmed bookings and by ACTIVE holds.
    public var takenSeats: Int { totalSeats - availableSeats }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Event {
    /// Decodes by column name without Codable, which costs several times more on the hot path.
    public init(row: Row) throws {
        id = row["id"]
        title = row["title"]
        description = row["description"]
        totalSeats = row["total_seats"]
        availableSeats = row["available_seats"]
        status = row["status"]
        eventDate = row["event_date"]
        organizerId = row["organizer_id"]
        version = row["version"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        holdDurationSeconds = row["hold_duration_seconds"]
        maxSeatsPerUser = row["max_seats_per_user"]
    }
}

extension Event {
    /// The columns `init(_:)` reads, in its order.
    static let columnList =
        "id, title, description, total_seats, available_seats, status, event_date, organizer_id, version, created_at, updated_at, "
        + "hold_duration_seconds, max_seats_per_user"

    /// Decodes the row of a statement that selects `columnList`, by index (`SQLiteColumns`): for the event each
    /// writer command reads, GRDB's `Row` and its reading of the three dates cost more than the read. Nil when a
    /// column holds what the schema does not allow.
    init?(_ columns: SQLiteColumns) {
        guard let id = columns.int64(0), let title = columns.text(1), let totalSeats = columns.integer(3),
            let availableSeats = columns.integer(4), let status = columns.text(5).flatMap(EventStatus.init(rawValue:)),
            let eventDate = columns.optionalDate(6), let organizerId = columns.int64(7), let version = columns.integer(8),
            let createdAt = columns.date(9), let updatedAt = columns.date(10), let holdDurationSeconds = columns.integer(11)
        else { return nil }
        self.init(
            id: id, title: title, description: columns.text(2), totalSeats: totalSeats, availableSeats: availableSeats,
            status: status, eventDate: eventDate, organizerId: organizerId, version: version, createdAt: createdAt, updatedAt: updatedAt,
            holdDurationSeconds: holdDurationSeconds, maxSeatsPerUser: columns.integer(12))
    }
}

/// An event with its organizer's public name, as every answer shows it.
///
/// Its `availableSeats` never count a hold that has lapsed: until the expiry sweep has given those seats
/// back, the read adds them (`selectSQL`). `validUntil` is when the next hold lapses, after which this value
/// is no longer the event's availability.
public struct EventDetails: Sendable, Equatable {
    public var event: Event
    public var organizerFirstname: String
    public var organizerLastname: String
    /// When the next ACTIVE hold of the event lapses; nil when none is active.
    public var validUntil: Date?

    /// Decodes a row of `EventDetails.selectSQL`.
    init(row: Row) throws {
        self.event = try Event(row: row)
        self.event.availableSeats += row["lapsed_hold_seats"] as Int
        self.organizerFirstname = row["organizer_firstname"]
        self.organizerLastname = row["organizer_lastname"]
        self.validUntil = row["next_hold_expiry"]
    }

    /// SQLite's clock in the form timestamps are stored in, so that the comparison is one of text.
    static let sqlNow = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    static let selectSQL = """
        SELECT events.*, users.firstname AS organizer_firstname, users.lastname AS organizer_lastname,
               (SELECT COALESCE(SUM(seat_count), 0) FROM holds
                WHERE holds.event_id = events.id AND holds.status = 'ACTIVE' AND holds.expires_at <= \(Self.sqlNow)) AS lapsed_hold_seats,
               (SELECT MIN(expires_at) FROM holds
                WHERE holds.event_id = events.id AND holds.status = 'ACTIVE' AND holds.expires_at > \(Self.sqlNow)) AS next_hold_expiry
        FROM events JOIN users ON users.id = events.organizer_id
        """
}

/// The fields of a new event; seats start all available.
public struct NewEvent: Sendable {
    public var title: String
    public var description: String?
    public var totalSeats: Int
    public var status: EventStatus
    public var eventDate: Date?
    public var holdDurationSeconds: Int
    public var maxSeatsPerUser: Int?

    public init(
        title: String, description: String?, totalSeats: Int, status: EventStatus, eventDate: Date?, holdDurationSeconds: Int = 600,
        maxSeatsPerUser: Int? = nil
    ) {
        self.title = title
        self.description = description
        self.totalSeats = totalSeats
        self.status = status
        self.eventDate = eventDate
        self.holdDurationSeconds = holdDurationSeconds
        self.maxSeatsPerUser = maxSeatsPerUser
    }
}

/// A partial update: `nil` leaves a field alone; `.some(nil)` clears a nullable one.
public struct EventChanges: Sendable {
    public var title: String?
    public var description: String??
    public var totalSeats: Int?
    public var status: EventStatus?
    public var eventDate: Date??
    /// Applies to holds made from now on.
    public var holdDurationSeconds: Int?
    /// A lower cap refuses new seats only: what users have already is kept.
    public var maxSeatsPerUser: Int??

    public init(
        title: String? = nil, description: String?? = nil, totalSeats: Int? = nil, status: EventStatus? = nil, eventDate: Date?? = nil,
        holdDurationSeconds: Int? = nil, maxSeatsPerUser: Int?? = nil
    ) {
        self.title = title
        self.description = description
        self.totalSeats = totalSeats
        self.status = status
        self.eventDate = eventDate
        self.holdDurationSeconds = holdDurationSeconds
        self.maxSeatsPerUser = maxSeatsPerUser
    }
}

/// The filters of an event list.
public struct EventFilter: Sendable {
    public var status: EventStatus?
    public var organizerId: Int64?
    public var from: Date?
    public var to: Date?

    public init(status: EventStatus? = nil, organizerId: Int64? = nil, from: Date? = nil, to: Date? = nil) {
        self.status = status
        self.organizerId = organizerId
        self.from = from
        self.to = to
    }
}
