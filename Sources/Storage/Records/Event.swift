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

    /// Seats held by confirmed bookings.
    public var bookedSeats: Int { totalSeats - availableSeats }

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
    }
}

/// An event with its organizer's public name, as every answer shows it.
public struct EventDetails: Sendable, Equatable {
    public var event: Event
    public var organizerFirstname: String
    public var organizerLastname: String

    /// Decodes a row of `EventDetails.selectSQL`.
    init(row: Row) throws {
        self.event = try Event(row: row)
        self.organizerFirstname = row["organizer_firstname"]
        self.organizerLastname = row["organizer_lastname"]
    }

    static let selectSQL = """
        SELECT events.*, users.firstname AS organizer_firstname, users.lastname AS organizer_lastname
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

    public init(title: String, description: String?, totalSeats: Int, status: EventStatus, eventDate: Date?) {
        self.title = title
        self.description = description
        self.totalSeats = totalSeats
        self.status = status
        self.eventDate = eventDate
    }
}

/// A partial update: `nil` leaves a field alone; `.some(nil)` clears a nullable one.
public struct EventChanges: Sendable {
    public var title: String?
    public var description: String??
    public var totalSeats: Int?
    public var status: EventStatus?
    public var eventDate: Date??

    public init(title: String? = nil, description: String?? = nil, totalSeats: Int? = nil, status: EventStatus? = nil, eventDate: Date?? = nil) {
        self.title = title
        self.description = description
        self.totalSeats = totalSeats
        self.status = status
        self.eventDate = eventDate
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
