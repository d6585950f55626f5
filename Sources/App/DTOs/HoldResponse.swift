import Hummingbird
import Storage

/// A hold as the API shows it, with the same summary of its event as a booking.
struct HoldResponse: ResponseEncodable, Sendable {
    var holdReference: String
    var eventId: Int64
    var userId: Int64
    var seatCount: Int
    var status: HoldStatus
    var expiresAt: String
    var createdAt: String
    var event: BookingResponse.EventSummary

    init(_ details: HoldDetails) {
        let hold = details.hold
        holdReference = hold.holdReference
        eventId = hold.eventId
        userId = hold.userId
        seatCount = hold.seatCount
        status = hold.status
        expiresAt = Timestamp.string(hold.expiresAt)
        createdAt = Timestamp.string(hold.createdAt)
        event = BookingResponse.EventSummary(
            id: hold.eventId, title: details.eventTitle, eventDate: Timestamp.string(details.eventDate), status: details.eventStatus)
    }
}

/// `POST /holds` and `DELETE /holds/:ref` wrap the hold in this envelope.
struct HoldEnvelope: ResponseEncodable, Sendable {
    var success = true
    var message: String
    var data: HoldResponse
}
