import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import App

/// The web pages' sessions and forms through HTTP (the browser test in Tests/Web drives the same pages).
@Suite struct WebPagesTests {
    /// A browser's cookie jar, just enough for these tests.
    struct Browser {
        var cookies: [String: String] = [:]

        mutating func keep(_ response: TestResponse) {
            for header in response.headers[values: .setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                cookies[String(pair[0])] = pair.count == 2 ? String(pair[1]) : ""
            }
        }

        var headers: HTTPFields {
            [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), .accept: "text/html"]
        }

        var csrf: String { cookies[WebSession.csrfCookie] ?? "" }
    }

    static func form(_ fields: [String: String]) -> String {
        var components = URLComponents()
        components.queryItems = fields.map { URLQueryItem(name: $0.key, value: $0.value) }
        return components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
    }

    static func post(_ api: TestAPI, _ path: String, _ browser: inout Browser, _ fields: [String: String]) async throws -> TestResponse {
        var headers = browser.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await api.client.executeRequest(uri: path, method: .post, headers: headers, body: ByteBuffer(string: form(fields)))
        browser.keep(response)
        return response
    }

    static func get(_ api: TestAPI, _ path: String, _ browser: inout Browser) async throws -> TestResponse {
        let response = try await api.client.executeRequest(uri: path, method: .get, headers: browser.headers, body: nil)
        browser.keep(response)
        return response
    }

    @Test func loggingInSetsAStrictSessionCookieThatTheJSONAPIIgnores() async throws {
        try await TestApp.run { api in
            _ = try await api.register("u@example.com", firstname: "Uma", lastname: "User")
            var browser = Browser()
            let loginPage = try await Self.get(api, "/login", &browser)
            #expect(loginPage.status == .ok && String(buffer: loginPage.body).contains(#"<label for="email">Email</label>"#))
            let csrfCookie = try #require(loginPage.headers[values: .setCookie].first { $0.hasPrefix("csrf=") })
            #expect(csrfCookie.contains("HttpOnly") && csrfCookie.contains("SameSite=Lax") && !csrfCookie.contains("Secure"))

            let wrong = try await Self.post(api, "/login", &browser, ["_csrf": browser.csrf, "email": "u@example.com", "password": "nope"])
            #expect(wrong.status == .unauthorized && String(buffer: wrong.body).contains("Invalid email or password"))

            let loggedIn = try await Self.post(
                api, "/login", &browser, ["_csrf": browser.csrf, "email": "u@example.com", "password": "Passw0rd!", "next": "//evil.example/x"])
            #expect(loggedIn.status == .seeOther && loggedIn.headers[.location] == "/", "never onwards to another host")
            let session = try #require(loggedIn.headers[values: .setCookie].first { $0.hasPrefix("session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"))
            #expect(String(buffer: try await Self.get(api, "/", &browser).body).contains("Uma User"))

            // The API keeps its bearer tokens: a session cookie alone is nobody there.
            let me = try await api.client.executeRequest(uri: "/auth/me", method: .get, headers: [.cookie: "session=\(browser.cookies["session"]!)"], body: nil)
            #expect(me.status == .unauthorized)

            let loggedOut = try await Self.post(api, "/logout", &browser, ["_csrf": browser.csrf])
            #expect(loggedOut.headers[values: .setCookie].contains { $0.hasPrefix("session=;") && $0.contains("Max-Age=0") })
        }
    }

    @Test func aFormWithoutItsCSRFTokenChangesNothing() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            _ = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 5)
            var browser = Browser()
            _ = try await Self.get(api, "/login", &browser)
            _ = try await Self.post(api, "/login", &browser, ["_csrf": browser.csrf, "email": "u@example.com", "password": "Passw0rd!"])

            for forged in ["", "forged.token", browser.csrf + "x"] {
                let refused = try await Self.post(api, "/my/bookings", &browser, ["_csrf": forged, "eventId": "\(eventId)", "seatCount": "2"])
                #expect(refused.status == .forbidden && String(buffer: refused.body).contains("This form was refused"), "\(forged)")
            }
            #expect(try await api.availableSeats(eventId) == 5, "nothing was booked")
            let booked = try await Self.post(api, "/my/bookings", &browser, ["_csrf": browser.csrf, "eventId": "\(eventId)", "seatCount": "2"])
            #expect(booked.status == .created && String(buffer: booked.body).contains(#"id="booked-seats">2<"#))
            #expect(try await api.availableSeats(eventId) == 3)

            let tooMany = try await Self.post(api, "/my/bookings", &browser, ["_csrf": browser.csrf, "eventId": "\(eventId)", "seatCount": "4"])
            #expect(tooMany.status == .conflict)
            #expect(
                String(buffer: tooMany.body).contains(#"<p class="error" id="seatCount-error">Not enough seats available. Requested: 4, Available: 3</p>"#),
                "the API's words, next to the Seats field")
        }
    }

    @Test func aBrowserGetsTheEventPageAndEveryoneElseTheJSON() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let eventId = try await api.createEvent(token: organizer, title: "Tom & Jerry <live>", seats: 1)
            let page = try await api.request(.get, "/events/\(eventId)", headers: [.accept: "text/html,application/xhtml+xml"])
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: page.body)
            #expect(html.contains("Tom &amp; Jerry &lt;live&gt;") && !html.contains("<live>"), "escaped")
            #expect(html.contains(#"id="seats-left""#) && html.contains("1 seat left") && html.contains("Log in to book"))
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
            #expect(try await api.request(.get, "/events/\(eventId)").json()["title"]?.stringValue == "Tom & Jerry <live>")
            #expect(try await api.request(.get, "/events/999", headers: [.accept: "text/html"]).status == .notFound)
        }
    }

    @Test func cookiesAreSecureBehindATLSProxy() async throws {
        try await TestApp.run(.live, configure: { $0.trustedProxy = "127.0.0.1" }) { api in
            let page = try await api.request(.get, "/login", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("; Secure") })
            let plain = try await api.request(.get, "/login")
            #expect(plain.headers[values: .setCookie].allSatisfy { !$0.contains("Secure") })
        }
    }

    @Test func anotherOrganizersAttendeesAreAPageThatSaysNo() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("owner@example.com", role: "ORGANIZER")
            _ = try await api.register("other@example.com", role: "ORGANIZER")
            let eventId = try await api.createEvent(token: owner, seats: 5)
            var browser = Browser()
            _ = try await Self.get(api, "/login", &browser)
            _ = try await Self.post(api, "/login", &browser, ["_csrf": browser.csrf, "email": "other@example.com", "password": "Passw0rd!"])
            for path in ["/organizer/events/\(eventId)/attendees", "/organizer/events/\(eventId)/attendees.csv"] {
                let refused = try await Self.get(api, path, &browser)
                #expect(refused.status == .forbidden && refused.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                #expect(String(buffer: refused.body).contains("You do not have access to this event"))
            }
            let notChecked = try await Self.post(
                api, "/organizer/events/\(eventId)/attendees/\(UUID().uuidString)/check-in", &browser, ["_csrf": browser.csrf])
            #expect(notChecked.status == .notFound && String(buffer: notChecked.body).contains("Not checked in"))
        }
    }

    @Test func organizerPagesAreForOrganizers() async throws {
        try await TestApp.run { api in
            _ = try await api.register("u@example.com")
            var browser = Browser()
            let anonymous = try await Self.get(api, "/organizer/events", &browser)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/login?next=/organizer/events")
            _ = try await Self.post(api, "/login", &browser, ["_csrf": browser.csrf, "email": "u@example.com", "password": "Passw0rd!"])
            #expect(try await Self.get(api, "/organizer/events", &browser).status == .forbidden)
        }
    }
}
