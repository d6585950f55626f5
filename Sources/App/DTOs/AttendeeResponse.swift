import Hummingbird
import Storage

/// A confirmed booking in the organizer's attendee list, with its booker.
struct AttendeeResponse: Encodable, Sendable {
    struct Booker: Encodable, Sendable {
        var id: Int64
        var firstname: String
        var lastname: String
        var email: String
    }

    var bookingReference: String
    var seatCount: Int
    var createdAt: String
    var checkedInAt: String?
    var booker: Booker

    init(_ attendee: Attendee) {
        bookingReference = attendee.booking.bookingReference
        seatCount = attendee.booking.seatCount
        createdAt = Timestamp.string(attendee.booking.createdAt)
        checkedInAt = Timestamp.string(attendee.booking.checkedInAt)
        booker = Booker(id: attendee.booking.userId, firstname: attendee.firstname, lastname: attendee.lastname, email: attendee.email)
    }

    private enum CodingKeys: String, CodingKey { case bookingReference, seatCount, createdAt, checkedInAt, booker }

    /// Written by hand so that a booking not yet checked in says `"checkedInAt": null`.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bookingReference, forKey: .bookingReference)
        try container.encode(seatCount, forKey: .seatCount)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(checkedInAt, forKey: .checkedInAt)
        try container.encode(booker, forKey: .booker)
    }

    static let csvHeader = CSV.line(["bookingReference", "seatCount", "bookerId", "firstname", "lastname", "email", "createdAt", "checkedInAt"])

    static func csvLine(_ attendee: Attendee) -> String {
        let booking = attendee.booking
        return CSV.line([
            CSV.text(booking.bookingReference), CSV.number(booking.seatCount), CSV.number(booking.userId), CSV.text(attendee.firstname),
            CSV.text(attendee.lastname), CSV.text(attendee.email), CSV.text(Timestamp.string(booking.createdAt)),
            CSV.text(Timestamp.string(booking.checkedInAt)),
        ])
    }
}
