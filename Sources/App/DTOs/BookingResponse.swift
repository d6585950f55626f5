import Hummingbird
import Storage

/// A booking as the API shows it, with a summary of its event.
struct BookingResponse: ResponseEncodable, Sendable {
    struct EventSummary: Codable, Sendable {
        var id: Int64
        var title: String
        var eventDate: String?
        var status: EventStatus

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(title, forKey: .title)
            try container.encode(eventDate, forKey: .eventDate)
            try container.encode(status, forKey: .status)
        }
    }

    var id: Int64
    var bookingReference: String
    var eventId: Int64
    var userId: Int64
    var seatCount: Int
    var status: BookingStatus
    var createdAt: String
    var updatedAt: String
    /// When the organizer checked the booker in; null until then.
    var checkedInAt: String?
    var event: EventSummary

    init(_ details: BookingDetails) {
        let booking = details.booking
        self.id = booking.id!
        self.bookingReference = booking.bookingReference
        self.eventId = booking.eventId
        self.userId = booking.userId
        self.seatCount = booking.seatCount
        self.status = booking.status
        self.createdAt = Timestamp.string(booking.createdAt)
        self.updatedAt = Timestamp.string(booking.updatedAt)
        self.checkedInAt = Timestamp.string(booking.checkedInAt)
        self.event = EventSummary(id: booking.eventId, title: details.eventTitle, eventDate: Timestamp.string(details.eventDate), status: details.eventStatus)
    }

    private enum CodingKeys: String, CodingKey {
        case id, bookingReference, eventId, userId, seatCount, status, createdAt, updatedAt, checkedInAt, event
    }

    /// Written by hand so that a booking not checked in says `"checkedInAt": null`.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(bookingReference, forKey: .bookingReference)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(userId, forKey: .userId)
        try container.encode(seatCount, forKey: .seatCount)
        try container.encode(status, forKey: .status)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(checkedInAt, forKey: .checkedInAt)
        try container.encode(event, forKey: .event)
    }
}

/// `POST /bookings` and `DELETE /bookings/:ref` wrap the booking in this envelope.
struct BookingEnvelope: ResponseEncodable, Sendable {
    var success = true
    var message: String
    var data: BookingResponse
}
