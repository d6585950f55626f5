import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import Logging
import TestSupport
import Testing
@testable import App
@testable import Storage

@Suite struct MailTests {
    @Test func confirmationMailNamesTheBookingAndEscapesHTML() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("zoe@example.com")
            let id = try await api.createEvent(token: owner, title: "Café <Jazz> & Ünïcödé")
            let reference = try await api.book(token: user, eventId: id, seats: 2)
            let mails = try await api.awaitMails(to: "zoe@example.com", count: 2)
            let confirmation = try #require(mails.last)
            #expect(MailText.header("Subject", in: confirmation) == "Booking confirmed: Café <Jazz> & Ünïcödé")
            let body = MailText.decodedBody(confirmation)
            #expect(body.contains("Reference: \(reference)"))
            #expect(body.contains("Event:     Café <Jazz> & Ünïcödé"), "the text part as written")
            #expect(body.contains("<td>Café &lt;Jazz&gt; &amp; Ünïcödé</td>"), "the HTML part escaped")
            #expect(body.contains("Seats:     2"))
            #expect(body.contains("Date:      Mon, 1 Jun 2099, 19:00 UTC"), "the event date as people read it")
            #expect(confirmation.contains("Content-Type: multipart/alternative"))
        }
    }

    @Test func cancellingByTheBookerAndByTheOrganizerBothNotify() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner)
            let first = try await api.book(token: user, eventId: id)
            try await api.request(.delete, "/bookings/\(first)", token: user)
            _ = try await api.book(token: user, eventId: id)
            try await api.request(.put, "/events/\(id)", token: owner, json: #"{"status": "CANCELLED"}"#)
            // code, confirmation, cancellation (own), confirmation, cancellation (organizer)
            let mails = try await api.awaitMails(to: "u@example.com", count: 5).map(MailText.decodedBody)
            #expect(mails.filter { $0.contains("your booking has been cancelled as you asked") }.count == 1)
            #expect(mails.filter { $0.contains("the organizer has cancelled the event") }.count == 1)
        }
    }

    @Test func theCodeIsNeverStoredInClearText() async throws {
        try await TestApp.run { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "c@example.com", "type": "register"}"#)
            let code = try await api.mailedCode(to: "c@example.com")
            let folder = URL(fileURLWithPath: api.app.configuration.databasePath).deletingLastPathComponent()
            for file in ["event-booking.sqlite", "event-booking.sqlite-wal"] {
                let bytes = (try? Data(contentsOf: folder.appendingPathComponent(file))) ?? Data()
                #expect(bytes.range(of: Data(code.utf8)) == nil, "\(file) holds the code")
            }
        }
    }

    @Test func healthShowsOnlyTheStatusAndLivenessNeedsNoDatabase() async throws {
        try await TestApp.run { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "h@example.com", "type": "register"}"#)
            for path in ["/health", "/health/ready", "/health/live"] {
                let health = try await api.request(.get, path).json()
                #expect(health == ["status": "ok"], "\(path) shows nothing of the service's activity: \(health)")
            }
        }
    }
}
