import Hummingbird
import Storage

/// One change of an event's available seats, as its organizer reads the ledger.
struct SeatLedgerEntryResponse: Encodable, Sendable {
    var id: Int64
    var eventId: Int64
    var delta: Int
    var reason: SeatChangeReason
    var availableAfter: Int
    var version: Int
    var bookingReference: String?
    var holdReference: String?
    var actorId: Int64?
    var createdAt: String

    init(_ entry: SeatLedgerEntry) {
        id = entry.id
        eventId = entry.eventId
        delta = entry.delta
        reason = entry.reason
        availableAfter = entry.availableAfter
        version = entry.version
        bookingReference = entry.bookingReference
        holdReference = entry.holdReference
        actorId = entry.actorId
        createdAt = Timestamp.string(entry.createdAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, eventId, delta, reason, availableAfter, version, bookingReference, holdReference, actorId, createdAt
    }

    /// Written by hand so that absent references and actors are explicit `null`s.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(delta, forKey: .delta)
        try container.encode(reason, forKey: .reason)
        try container.encode(availableAfter, forKey: .availableAfter)
        try container.encode(version, forKey: .version)
        try container.encode(bookingReference, forKey: .bookingReference)
        try container.encode(holdReference, forKey: .holdReference)
        try container.encode(actorId, forKey: .actorId)
        try container.encode(createdAt, forKey: .createdAt)
    }

    static let csvHeader = CSV.line([
        "id", "eventId", "delta", "reason", "availableAfter", "version", "bookingReference", "holdReference", "actorId", "createdAt",
    ])

    static func csvLine(_ entry: SeatLedgerEntry) -> String {
        CSV.line([
            CSV.number(entry.id), CSV.number(entry.eventId), CSV.number(entry.delta), CSV.text(entry.reason.rawValue),
            CSV.number(entry.availableAfter), CSV.number(entry.version), CSV.text(entry.bookingReference), CSV.text(entry.holdReference),
            entry.actorId.map(CSV.number) ?? "", CSV.text(Timestamp.string(entry.createdAt)),
        ])
    }
}
