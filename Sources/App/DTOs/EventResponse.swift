import Hummingbird
import Storage

/// An event as the API shows it: the organizer's public name, never their email.
struct EventResponse: ResponseEncodable, Sendable {
    struct Organizer: Codable, Sendable {
        var id: Int64
        var firstname: String
        var lastname: String
    }

    var id: Int64
    var title: String
    var description: String?
    var totalSeats: Int
    var availableSeats: Int
    var status: EventStatus
    var eventDate: String?
    var organizerId: Int64
    var organizer: Organizer
    var version: Int
    var createdAt: String
    var updatedAt: String
    var holdDurationSeconds: Int
    var maxSeatsPerUser: Int?

    init(_ details: EventDetails) {
        let event = details.event
        self.id = event.id!
        self.title = event.title
        self.description = event.description
        self.totalSeats = event.totalSeats
        self.availableSeats = event.availableSeats
        self.status = event.status
        self.eventDate = Timestamp.string(event.eventDate)
        self.organizerId = event.organizerId
        self.organizer = Organizer(id: event.organizerId, firstname: details.organizerFirstname, lastname: details.organizerLastname)
        self.version = event.version
        self.createdAt = Timestamp.string(event.createdAt)
        self.updatedAt = Timestamp.string(event.updatedAt)
        self.holdDurationSeconds = event.holdDurationSeconds
        self.maxSeatsPerUser = event.maxSeatsPerUser
    }

    private enum CodingKeys: String, CodingKey {
        case id, title, description, totalSeats, availableSeats, status, eventDate, organizerId, organizer, version, createdAt, updatedAt
        case holdDurationSeconds, maxSeatsPerUser
    }

    /// Written by hand so that a missing description, date or cap is an explicit `null`, as clients expect.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(description, forKey: .description)
        try container.encode(totalSeats, forKey: .totalSeats)
        try container.encode(availableSeats, forKey: .availableSeats)
        try container.encode(status, forKey: .status)
        try container.encode(eventDate, forKey: .eventDate)
        try container.encode(organizerId, forKey: .organizerId)
        try container.encode(organizer, forKey: .organizer)
        try container.encode(version, forKey: .version)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(holdDurationSeconds, forKey: .holdDurationSeconds)
        try container.encode(maxSeatsPerUser, forKey: .maxSeatsPerUser)
    }
}

/// `DELETE /events/:id`'s answer.
struct EventDeletedResponse: ResponseEncodable, Sendable {
    var message = "Event deleted successfully"
    var eventId: Int64
}
