import Foundation
import HTTPTypes
import Storage
import Testing
@testable import App

/// The organizer's attendee list (JSON and CSV) and check-in, through a live server.
@Suite struct AttendeeTests {
    /// Splits RFC 4180 text into rows of cells (quoted cells may hold commas, quotes and line breaks).
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        cell.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(cell)
                cell = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty { rows.append(row + [cell]) }
        return rows
    }

    @Test func theOrganizerPagesThroughConfirmedBookingsWithTheirBookers() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let ann = try await api.register("ann@example.com", firstname: "Ann", lastname: "Lee")
            let bob = try await api.register("bob@example.com", firstname: "Bob", lastname: "Ray")
            let eventId = try await api.createEvent(token: organizer, seats: 20)
            let first = try await api.book(token: ann, eventId: eventId, seats: 2)
            let cancelled = try await api.book(token: bob, eventId: eventId, seats: 1)
            let third = try await api.book(token: bob, eventId: eventId, seats: 3)
            #expect(try await api.request(.delete, "/bookings/\(cancelled)", token: bob).status == .ok)

            let page = try await api.request(.get, "/events/\(eventId)/attendees?limit=1", token: organizer)
            #expect(page.status == .ok)
            let body = try page.json()
            #expect(body["meta"]?["total"]?.intValue == 2, "confirmed bookings only")
            #expect(body["meta"]?["totalPages"]?.intValue == 2)
            let attendee = try #require(body["data"]?[0])
            #expect(attendee["bookingReference"]?.stringValue == first, "booking order")
            #expect(attendee["seatCount"]?.intValue == 2)
            #expect(attendee["checkedInAt"] == .null)
            #expect(attendee["booker"]?["firstname"]?.stringValue == "Ann")
            #expect(attendee["booker"]?["email"]?.stringValue == "ann@example.com")
            #expect(attendee["booker"]?.objectKeys == ["id", "firstname", "lastname", "email"])
            let second = try await api.request(.get, "/events/\(eventId)/attendees?limit=1&page=2", token: organizer).json()
            #expect(second["data"]?[0]?["bookingReference"]?.stringValue == third)
        }
    }

    @Test func onlyTheOwningOrganizerSeesTheAttendees() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let rival = try await api.register("rival@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer)
            let draft = try await api.createEvent(token: organizer, status: "DRAFT")
            _ = try await api.book(token: user, eventId: eventId)
            for path in ["/events/\(eventId)/attendees", "/events/\(eventId)/attendees?format=csv", "/events/\(eventId)/ledger"] {
                #expect(try await api.request(.get, path, token: rival).status == .forbidden, "\(path): another organizer")
                #expect(try await api.request(.get, path, token: user).status == .forbidden, "\(path): a booker")
                #expect(try await api.request(.get, path).status == .unauthorized, "\(path): nobody")
            }
            #expect(try await api.request(.get, "/events/\(draft)/attendees", token: rival).status == .notFound, "another's draft is hidden")
            #expect(try await api.request(.get, "/events/999999/attendees", token: organizer).status == .notFound)
            let bad = try await api.request(.get, "/events/\(eventId)/attendees?format=xml", token: organizer)
            #expect(bad.status == .badRequest && bad.errorCode == "VALIDATION_FAILED")
        }
    }

    @Test func theCSVHasEveryAttendeeAndDefusesFormulasInNames() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let eventId = try await api.createEvent(token: organizer, seats: 1_000)
            let hostile = [
                ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1"), ("-2+3", "@SUM(A1:A9)"), ("Smith, \"Jr\"", "O'Neil"),
            ]
            var tokens: [String] = []
            for (index, name) in hostile.enumerated() {
                tokens.append(try await api.register("h\(index)@example.com", firstname: name.0, lastname: name.1))
            }
            for token in tokens { _ = try await api.book(token: token, eventId: eventId, seats: 2) }
            // More rows than one slice of the export (500), booked straight through Storage to be quick.
            let many = try await api.app.database.user(email: "h0@example.com")!.id!
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<CSVExport.sliceSize + 20 {
                    group.addTask { _ = try await api.app.database.createBooking(eventId: eventId, seatCount: 1, userId: many) }
                }
                try await group.waitForAll()
            }

            let response = try await api.request(.get, "/events/\(eventId)/attendees?format=csv", token: organizer)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(response.headers[.contentDisposition]?.contains("attachment") == true)
            let text = String(buffer: response.body)
            #expect(text.hasSuffix("\r\n"))
            let rows = Self.parseCSV(text)
            #expect(rows.first == ["bookingReference", "seatCount", "bookerId", "firstname", "lastname", "email", "createdAt", "checkedInAt"])
            #expect(rows.count == 1 + hostile.count + CSVExport.sliceSize + 20, "a header and every confirmed booking, across slices")
            #expect(Set(rows.dropFirst().map { $0[0] }).count == rows.count - 1, "no booking twice at a slice's edge")
            #expect(rows[1][3] == "'=HYPERLINK(\"http://evil.example\",\"click\")" && rows[1][4] == "'+1")
            #expect(rows[2][3] == "'-2+3" && rows[2][4] == "'@SUM(A1:A9)")
            #expect(rows[3][3] == "Smith, \"Jr\"" && rows[3][4] == "O'Neil", "commas and quotes survive quoting")
            #expect(rows[1][1] == "2" && rows[1][7] == "", "numbers stay numbers; not checked in is empty")

            var accept = HTTPFields()
            accept[.accept] = "text/csv"
            let negotiated = try await api.request(.get, "/events/\(eventId)/attendees", token: organizer, headers: accept)
            #expect(negotiated.headers[.contentType] == "text/csv; charset=utf-8", "Accept: text/csv asks for the same")
            #expect(String(buffer: negotiated.body) == text)
        }
    }

    @Test func checkInIsIdempotentAndForTheOrganizerOnly() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let rival = try await api.register("rival@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer)
            let reference = try await api.book(token: user, eventId: eventId, seats: 2)

            let checkedIn = try await api.request(.post, "/bookings/\(reference)/check-in", token: organizer)
            #expect(checkedIn.status == .ok)
            let at = try #require(try checkedIn.json()["checkedInAt"]?.stringValue)
            #expect(try checkedIn.json()["bookingReference"]?.stringValue == reference)
            try await Task.sleep(for: .milliseconds(20))
            let again = try await api.request(.post, "/bookings/\(reference)/check-in", token: organizer)
            #expect(again.status == .ok)
            #expect(try again.json()["checkedInAt"]?.stringValue == at, "a scanner's retry answers the same time")
            let listed = try await api.request(.get, "/events/\(eventId)/attendees", token: organizer).json()
            #expect(listed["data"]?[0]?["checkedInAt"]?.stringValue == at)
            #expect(try await api.request(.get, "/bookings/\(reference)", token: user).json()["checkedInAt"]?.stringValue == at)

            #expect(try await api.request(.post, "/bookings/\(reference)/check-in", token: rival).status == .forbidden)
            #expect(try await api.request(.post, "/bookings/\(reference)/check-in", token: user).status == .forbidden, "not by the booker")
            #expect(try await api.request(.post, "/bookings/\(UUID())/check-in", token: organizer).status == .notFound)
            #expect(try await api.request(.post, "/bookings/not-a-reference/check-in", token: organizer).status == .notFound)

            let other = try await api.book(token: user, eventId: eventId)
            #expect(try await api.request(.delete, "/bookings/\(other)", token: user).status == .ok)
            let cancelled = try await api.request(.post, "/bookings/\(other)/check-in", token: organizer)
            #expect(cancelled.status == .conflict && cancelled.errorCode == "BOOKING_CANCELLED")
        }
    }
}
