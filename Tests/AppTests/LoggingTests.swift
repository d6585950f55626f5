import Foundation
import Logging
import Testing
@testable import App

@Suite struct LoggingTests {
    @Test func debugLogsEveryRequestAndNoLineHoldsACodePasswordOrToken() async throws {
        let store = CapturingLogHandler.Store()
        let logger = Logger(label: "test") { _ in
            var handler = CapturingLogHandler(store: store)
            handler.logLevel = .trace
            return handler
        }
        let password = "Secr3t!Passw0rd"
        let (code, token) = try await TestApp.run(logger: logger) { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "quiet@example.com", "type": "register"}"#)
            let code = try await api.mailedCode(to: "quiet@example.com")
            let token = try await api.register("quiet2@example.com", password: password)
            let login = try await api.request(.post, "/auth/login", json: #"{"email": "quiet2@example.com", "password": "\#(password)"}"#)
            #expect(login.status == .ok)
            try await api.request(.get, "/auth/me", token: token)
            return (code, token)
        }
        let lines = store.all
        #expect(lines.contains { $0.contains("/auth/login") }, "each request is logged at debug")
        for secret in [code, password, token] {
            #expect(!lines.contains { $0.contains(secret) }, "a log line holds a secret: \(lines.filter { $0.contains(secret) })")
        }
    }

    @Test func logLevelSettingSetsTheServiceLogger() {
        var configuration = AppConfiguration()
        configuration.logLevel = .debug
        #expect(makeLogger(configuration).logLevel == .debug)
    }
}
