import Hummingbird
import Storage

/// A waitlist entry as the API shows it. `position` (from 1) is its place among the event's WAITING entries,
/// null once it no longer waits; `holdReference` is the hold it was offered.
struct WaitlistEntryResponse: ResponseEncodable, Sendable {
    var waitlistReference: String
    var eventId: Int64
    var userId: Int64
    var seatCount: Int
    var position: Int?
    var status: WaitlistStatus
    var holdReference: String?
    var createdAt: String

    init(_ entry: WaitlistEntry) {
        waitlistReference = entry.waitlistReference
        eventId = entry.eventId
        userId = entry.userId
        seatCount = entry.seatCount
        position = entry.position
        status = entry.status
        holdReference = entry.holdReference
        createdAt = Timestamp.string(entry.createdAt)
    }

    private enum CodingKeys: String, CodingKey {
        case waitlistReference, eventId, userId, seatCount, position, status, holdReference, createdAt
    }

    /// Written by hand so that `position` and `holdReference` are explicit `null`s when absent.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(waitlistReference, forKey: .waitlistReference)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(userId, forKey: .userId)
        try container.encode(seatCount, forKey: .seatCount)
        try container.encode(position, forKey: .position)
        try container.encode(status, forKey: .status)
        try container.encode(holdReference, forKey: .holdReference)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// `POST /events/:id/waitlist` and `DELETE /events/:id/waitlist/me` wrap the entry in this envelope.
struct WaitlistEnvelope: ResponseEncodable, Sendable {
    var success = true
    var message: String
    var data: WaitlistEntryResponse
}
