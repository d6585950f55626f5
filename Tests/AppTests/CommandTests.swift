import ArgumentParser
import Configuration
import Foundation
import GRDB
import Storage
import Testing
@testable import App

@Suite struct CommandTests {
    static func withFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("command-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    @Test func seedAddsItsLoginsOnceAndCheckPasses() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            let database = try AppDatabase(path: path)
            #expect(try await SampleData.seed(database, passwords: .init(costLog2: 6)))
            #expect(try await !SampleData.seed(database, passwords: .init(costLog2: 6)), "a second seed adds nothing")
            #expect(try await database.user(email: "organizer@example.com")?.role == .organizer)
            let visible = try await database.events(matching: EventFilter(), viewerId: nil, page: PageRequest(page: 1, limit: 10))
            #expect(visible.total == 3, "the draft stays hidden")
            try database.close()
            let check = try CheckCommand.parse(["--database-path", path, "--env-file", "/nonexistent.env"])
            try await check.run()
        }
    }

    @Test func checkExitsWithOneWhenSeatsDisagreeWithBookings() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            let database = try AppDatabase(path: path)
            _ = try await SampleData.seed(database, passwords: .init(costLog2: 6))
            try database.close()
            // Break the invariant behind the service's back, as a bad manual edit would.
            let raw = try DatabaseQueue(path: path)
            try await raw.write { db in try db.execute(sql: "UPDATE events SET available_seats = available_seats - 1 WHERE id = 1") }
            try raw.close()
            let check = try CheckCommand.parse(["--database-path", path, "--env-file", "/nonexistent.env"])
            await #expect(throws: ExitCode(1)) { try await check.run() }
        }
    }

    @Test func checkExitsWithOneAndNamesTheEventWhenALedgerEntryWasTamperedWith() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            let database = try AppDatabase(path: path)
            _ = try await SampleData.seed(database, passwords: .init(costLog2: 6))
            try database.close()
            // The ledger refuses changes; someone who drops the trigger first can still make one.
            let raw = try DatabaseQueue(path: path)
            try await raw.write { db in
                try db.execute(sql: "DROP TRIGGER seat_ledger_no_update")
                try db.execute(sql: "UPDATE seat_ledger SET delta = delta - 1 WHERE event_id = 1")
            }
            try raw.close()
            let check = try CheckCommand.parse(["--database-path", path, "--env-file", "/nonexistent.env"])
            await #expect(throws: ExitCode(1)) { try await check.run() }
            let reopened = try AppDatabase(path: path)
            defer { try? reopened.close() }
            let report = CheckCommand.render(try await reopened.checkIntegrity())
            #expect(report.contains("ledger mismatches: 1"), "\(report)")
            #expect(report.contains("event 1: available") && report.contains("seat ledger sums to"), "\(report)")
            #expect(report.hasSuffix("BROKEN"))
        }
    }

    @Test func backupCopiesTheLiveDatabaseConsistentlyAndNeverOverwrites() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            // The service's database stays open throughout, as a running server's would.
            let live = try AppDatabase(path: path)
            defer { try? live.close() }
            _ = try await SampleData.seed(live, passwords: .init(costLog2: 6))
            let alice = try #require(try await live.user(email: "alice@example.com"))
            _ = try await live.createBooking(eventId: 1, seatCount: 3, userId: alice.id!)

            let copy = folder.appendingPathComponent("copies/first.sqlite").path
            try await BackupCommand.parse([copy, "--database-path", path, "--env-file", "/nonexistent.env"]).run()
            let restored = try AppDatabase(path: copy)
            #expect(try await restored.event(id: 1, viewerId: nil).event.availableSeats == 200 - 3)
            #expect(try await restored.bookings(userId: alice.id!, status: nil, page: PageRequest(page: 1, limit: 10)).total == 1)
            #expect(try await restored.checkIntegrity().isHealthy)
            try restored.close()

            _ = try await live.createBooking(eventId: 1, seatCount: 1, userId: alice.id!)
            await #expect(throws: ValidationError.self, "an existing backup is never overwritten") {
                try await BackupCommand.parse([copy, "--database-path", path, "--env-file", "/nonexistent.env"]).run()
            }
            let untouched = try DatabaseQueue(path: copy)
            #expect(try await untouched.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookings") } == 1)
            try untouched.close()

            try await BackupCommand.parse(["--database-path", path, "--env-file", "/nonexistent.env"]).run()
            let backups = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("backups").path)
            #expect(backups.count == 1 && backups[0].hasPrefix("event-booking-") && backups[0].hasSuffix(".sqlite"), "\(backups)")
            #expect(AppDatabase.backupFileName(at: Date(timeIntervalSince1970: 1_795_597_503)) == "event-booking-20261125-090503.sqlite")
        }
    }

    @Test func flagBeatsEnvironmentWhichBeatsTheEnvFile() async throws {
        try await Self.withFolder { folder in
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let envFile = folder.appendingPathComponent(".env")
            try "PORT=7000\nHOST=0.0.0.0\nBOOKING_MAX_SEATS=4\n".write(to: envFile, atomically: true, encoding: .utf8)
            let options = try ConfigOptions.parse(["--port", "7001", "--env-file", envFile.path])
            let configuration = try await options.configuration()
            #expect(configuration.port == 7001, "flag over file")
            #expect(configuration.host == "0.0.0.0", "file over default")
            #expect(configuration.bookingMaxSeats == 4)
            let reader = ConfigReader(providers: [
                InMemoryProvider(values: ["port": "7002"]),
                InMemoryProvider(values: ["port": "7000"]),
            ])
            #expect(try AppConfiguration(reader: reader).port == 7002)
        }
    }

    @Test func badSettingsStopTheStartWithTheirName() async throws {
        #expect(throws: ConfigurationError.self) { try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["port": "abc"]))) }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["mail.transport": "pigeon"])))
        }
        do {
            _ = try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["booking.max.seats": "0"])))
            Issue.record("BOOKING_MAX_SEATS=0 was accepted")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("BOOKING_MAX_SEATS"))
        }
    }

    @Test func promoteMakesAnOrganizerAndRefusesAnUnknownAddress() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            let database = try AppDatabase(path: path)
            _ = try await SampleData.seed(database, passwords: .init(costLog2: 6))
            try database.close()
            let promote = try PromoteCommand.parse(["Alice@Example.com", "--database-path", path, "--env-file", "/nonexistent.env"])
            try await promote.run()
            let reopened = try AppDatabase(path: path)
            defer { try? reopened.close() }
            #expect(try await reopened.user(email: "alice@example.com")?.role == .organizer)
            let unknown = try PromoteCommand.parse(["nobody@example.com", "--database-path", path, "--env-file", "/nonexistent.env"])
            await #expect(throws: ValidationError.self) { try await unknown.run() }
        }
    }

    @Test func productionRefusesToSendCodesOnlyToTheLogUnlessToldSo() async throws {
        do {
            _ = try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["app.env": "production"])))
            Issue.record("production started with mail going only to the log")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("MAIL_TRANSPORT") && error.description.contains("MAIL_LOG_IN_PRODUCTION"), "says why and how")
        }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["app.env": "production", "mail.transport": "log"])))
        }
        let onPurpose = try AppConfiguration(
            reader: ConfigReader(provider: InMemoryProvider(values: ["app.env": "production", "mail.log.in.production": "true"])))
        #expect(onPurpose.mailLogInProduction && onPurpose.mailTransport == .log)
        let smtp = try AppConfiguration(
            reader: ConfigReader(provider: InMemoryProvider(values: ["app.env": "production", "mail.transport": "smtp", "mail.host": "mail.example.com"])))
        #expect(smtp.mailTransport == .smtp)
        #expect(try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [:]))).mailTransport == .log, "development keeps it")
    }

    @Test func productionRequiresAStrongSecretAndDevelopmentKeepsAGeneratedOne() async throws {
        try await Self.withFolder { folder in
            var production = AppConfiguration()
            production.environment = .production
            production.databasePath = folder.appendingPathComponent("db.sqlite").path
            #expect(throws: ConfigurationError.self) { try production.resolvedJWTSecret() }
            production.jwtSecret = "too-short"
            #expect(throws: ConfigurationError.self) { try production.resolvedJWTSecret() }
            production.jwtSecret = String(repeating: "secret", count: 8)
            #expect(throws: ConfigurationError.self, "long but guessable") { try production.resolvedJWTSecret() }
            production.jwtSecret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            #expect(try production.resolvedJWTSecret() == production.jwtSecret)

            var development = AppConfiguration()
            development.databasePath = folder.appendingPathComponent("db.sqlite").path
            let generated = try development.resolvedJWTSecret()
            #expect(generated.utf8.count >= 32)
            #expect(try development.resolvedJWTSecret() == generated, "kept across restarts")
        }
    }
}

@Suite struct ExampleEnvTests {
    static let exampleEnv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/example.env")

    @Test func exampleEnvIsValidAndStatesTheDefaults() async throws {
        let provider = try await EnvironmentVariablesProvider(environmentFilePath: .init(Self.exampleEnv.path))
        let configuration = try AppConfiguration(reader: ConfigReader(provider: provider))
        let defaults = AppConfiguration()
        #expect(configuration.host == defaults.host)
        #expect(configuration.port == defaults.port)
        #expect(configuration.databasePath == defaults.databasePath)
        #expect(configuration.durability == defaults.durability)
        #expect(configuration.jwtLifetime == defaults.jwtLifetime)
        #expect(configuration.mailFrom == defaults.mailFrom)
        #expect(configuration.bookingMaxSeats == defaults.bookingMaxSeats)
        #expect(configuration.passwordHashCost == defaults.passwordHashCost)
        #expect(configuration.codeRules.lifetime == defaults.codeRules.lifetime)
        #expect(configuration.codeRules.blockDuration == defaults.codeRules.blockDuration)
        #expect(configuration.codeRules.maxSends == defaults.codeRules.maxSends)
        #expect(configuration.swaggerUIDirectory == defaults.swaggerUIDirectory)
        #expect(configuration.mailTimeout == defaults.mailTimeout)
        #expect(configuration.mailRetryBase == defaults.mailRetryBase)
        #expect(configuration.mailMaxAttempts == defaults.mailMaxAttempts)
        #expect(configuration.mailSecure == defaults.mailSecure)
        #expect(configuration.mailLogInProduction == defaults.mailLogInProduction)
        #expect(configuration.retention == defaults.retention)
        #expect(configuration.httpIdleTimeout == defaults.httpIdleTimeout)
        #expect(configuration.shutdownTimeout == defaults.shutdownTimeout)
        #expect(configuration.allowOrganizerSignup == defaults.allowOrganizerSignup)
        #expect(configuration.rateLimitLoginPerAccount == defaults.rateLimitLoginPerAccount)
        #expect(configuration.rateLimitAuthPerIP == defaults.rateLimitAuthPerIP)
        #expect(configuration.rateLimitBookingsPerUser == defaults.rateLimitBookingsPerUser)
        #expect(configuration.trustedProxy == defaults.trustedProxy)
    }
}
