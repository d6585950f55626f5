import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import App
import Auth

@Suite struct AuthEndpointTests {
    @Test func sendCodeMailsASixDigitCodeAndDescribesIt() async throws {
        try await TestApp.run { api in
            let response = try await api.request(.post, "/auth/send-code", json: #"{"email": "New@Example.com", "type": "register"}"#)
            #expect(response.status == .ok)
            let email = try #require(try response.json()["email"])
            #expect(email["timeout"]?.intValue == 600_000)
            #expect(email["attempt"]?.intValue == 1)
            #expect(email["maxAttempt"]?.intValue == 10)
            #expect(email["sentAt"]?.stringValue?.hasSuffix("Z") == true)
            #expect(try await api.mailedCode(to: "new@example.com").count == 6)
        }
    }

    @Test func sendCodeValidatesEachField() async throws {
        try await TestApp.run { api in
            let response = try await api.request(.post, "/auth/send-code", json: #"{"email": "not-an-email", "type": "login"}"#)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_FAILED")
            let fields = try response.json()["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
            #expect(fields == ["email", "type"])
        }
    }

    @Test func resendInsideTheCooldownIs429() async throws {
        try await TestApp.run { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "a@example.com", "type": "register"}"#)
            let again = try await api.request(.post, "/auth/send-code", json: #"{"email": "a@example.com", "type": "register"}"#)
            #expect(again.status == .tooManyRequests)
            #expect(again.errorCode == "OTP_RESEND_TOO_SOON")
            #expect(again.headers[.retryAfter] != nil)
        }
    }

    @Test func registeredEmailCannotAskForACodeOrRegisterAgain() async throws {
        try await TestApp.run { api in
            _ = try await api.register("taken@example.com")
            let response = try await api.request(.post, "/auth/send-code", json: #"{"email": "TAKEN@example.com", "type": "register"}"#)
            #expect(response.status == .conflict)
            #expect(response.errorCode == "EMAIL_IN_USE")
        }
    }

    @Test func registerWithTheMailedCodeAnswersAToken() async throws {
        try await TestApp.run { api in
            let token = try await api.register("person@example.com", role: "ORGANIZER")
            let me = try await api.request(.get, "/auth/me", token: token)
            #expect(me.status == .ok)
            let profile = try me.json()
            #expect(profile["email"]?.stringValue == "person@example.com")
            #expect(profile["role"]?.stringValue == "ORGANIZER")
            #expect(!profile.objectKeys.contains("passwordHash"))
            #expect(!String(buffer: me.body).contains("scrypt"))
        }
    }

    @Test func wrongCodeIs422WithRetriesAndTheCodeIsSingleUse() async throws {
        try await TestApp.run { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "w@example.com", "type": "register"}"#)
            let code = try await api.mailedCode(to: "w@example.com")
            let wrong = code == "000000" ? "111111" : "000000"
            func register(_ code: String, _ email: String = "w@example.com") async throws -> TestResponse {
                try await api.request(.post, "/auth/register", json: """
                    {"firstname": "W", "lastname": "X", "email": "\(email)", "password": "Passw0rd!", "country": "DE", "emailVerificationCode": "\(code)"}
                    """)
            }
            let failed = try await register(wrong)
            #expect(failed.status == .unprocessableContent)
            #expect(failed.errorCode == "OTP_INVALID")
            let meta = try failed.json()["meta"]?["email"]
            #expect(meta?["status"] == .bool(false))
            #expect(meta?["retries"]?.intValue == 1)
            #expect(meta?["maxRetries"]?.intValue == 5)
            #expect(try await register(code).status == .created)
            #expect(try await register(code).errorCode == "EMAIL_IN_USE")
        }
    }

    @Test func weakPasswordAndMissingFieldsAreReportedPerField() async throws {
        try await TestApp.run { api in
            let response = try await api.request(.post, "/auth/register", json: #"{"email": "x@example.com", "password": "password", "role": "ADMIN", "firstname": 7}"#)
            #expect(response.status == .badRequest)
            let fields = Set(try response.json()["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
            #expect(fields == ["firstname", "lastname", "password", "country", "emailVerificationCode", "role"])
        }
    }

    @Test func loginAnswersUnknownEmailAndWrongPasswordAlike() async throws {
        try await TestApp.run { api in
            _ = try await api.register("login@example.com", password: "Right-Pass-1")
            let ok = try await api.request(.post, "/auth/login", json: #"{"email": "LOGIN@example.com", "password": "Right-Pass-1"}"#)
            #expect(ok.status == .ok)
            #expect(try ok.json()["type"]?.stringValue == "user")
            let wrongPassword = try await api.request(.post, "/auth/login", json: #"{"email": "login@example.com", "password": "Wrong-Pass-1"}"#)
            let unknownEmail = try await api.request(.post, "/auth/login", json: #"{"email": "nobody@example.com", "password": "Right-Pass-1"}"#)
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            #expect(String(buffer: wrongPassword.body) == String(buffer: unknownEmail.body))
            #expect(wrongPassword.errorCode == "INVALID_CREDENTIALS")
        }
    }

    @Test func meWithoutOrWithABadTokenIs401() async throws {
        try await TestApp.run { api in
            #expect(try await api.request(.get, "/auth/me").status == .unauthorized)
            #expect(try await api.request(.get, "/auth/me", token: "garbage").status == .unauthorized)
            let basic = try await api.request(.get, "/auth/me", headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(basic.status == .unauthorized)
            #expect(basic.errorCode == "UNAUTHORIZED")
        }
    }

    @Test func tokenOfAUserThatNoLongerExistsIs401() async throws {
        try await TestApp.run { api in
            let tokens = try await Auth.TokenService(secret: api.app.configuration.jwtSecret!, lifetime: 60)
            let ghost = try await tokens.issue(userId: 999, role: "ORGANIZER")
            #expect(try await api.request(.get, "/auth/me", token: ghost).status == .unauthorized)
        }
    }

    @Test func closedOrganizerSignUpRefusesOrganizersButNotUsersAndKeepsTheCode() async throws {
        try await TestApp.run(configure: { $0.allowOrganizerSignup = false }) { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "o@example.com", "type": "register"}"#)
            let code = try await api.mailedCode(to: "o@example.com")
            func register(role: String) async throws -> TestResponse {
                try await api.request(.post, "/auth/register", json: """
                    {"firstname": "O", "lastname": "P", "email": "o@example.com", "password": "Passw0rd!", "country": "DE",
                     "emailVerificationCode": "\(code)", "role": "\(role)"}
                    """)
            }
            let refused = try await register(role: "ORGANIZER")
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "ORGANIZER_SIGNUP_CLOSED")
            let user = try await register(role: "USER")
            #expect(user.status == .created, "the refusal neither used up nor counted against the code")
            let token = try #require(try user.json()["accessToken"]?.stringValue)
            #expect(try await api.request(.post, "/events", token: token, json: #"{"title": "T", "totalSeats": 1}"#).status == .forbidden)
            _ = try await api.app.database.setRole(.organizer, email: "o@example.com")
            #expect(
                try await api.request(.post, "/events", token: token, json: #"{"title": "T", "totalSeats": 1}"#).status == .created,
                "a promoted user is an organizer at once in this process")
        }
    }
}
