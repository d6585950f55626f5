import Foundation
import Hummingbird
import Storage
import Testing
@testable import App

/// The booking's answer is written by hand (`BookingEnvelope.encodedJSON()`); it must stay what Foundation's
/// encoder writes, byte for byte, whatever the strings hold and whatever fields the response gains.
@Suite struct BookingEnvelopeJSONTests {
    /// Every control character, both characters JSON escapes, a slash, non-ASCII text, a line separator.
    static let trickyTexts = [
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7F}", "say \"hi\" \\ back/slash", "Zoë 🎟️ \u{2028}\u{FEFF}", "",
    ]

    @Test func theHandWrittenJSONIsWhatTheEncoderWrites() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("organizer@example.com", role: "ORGANIZER")
            let user = try await api.register("user@example.com")
            let eventId = try await api.createEvent(token: organizer, title: "Gala")
            let reference = try await api.book(token: user, eventId: eventId, seats: 2)
            let me = try await api.request(.get, "/auth/me", token: user).json()
            let details = try await api.app.database.booking(reference: reference, viewerId: Int64(try #require(me["id"]?.intValue)))

            var variants = [BookingEnvelope(message: "Booking confirmed successfully", data: BookingResponse(details))]
            for text in Self.trickyTexts {
                var envelope = variants[0]
                envelope.message = text
                envelope.data.bookingReference = text
                envelope.data.createdAt = text
                envelope.data.checkedInAt = text
                envelope.data.event.title = text
                envelope.data.event.eventDate = nil
                envelope.data.id = -1
                envelope.data.userId = Int64.max
                envelope.data.status = .cancelled
                envelope.success = false
                variants.append(envelope)
            }
            for envelope in variants {
                let expected = try JSONEncoder.api().encode(envelope)
                #expect(Array(buffer: envelope.encodedJSON()) == Array(expected), "\(String(decoding: expected, as: UTF8.self))")
            }
        }
    }
}
