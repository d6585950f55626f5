import Configuration
import Foundation
import Logging
import Storage

/// Every setting of the service, read once at start-up and validated there.
///
/// Each key is read from a `ConfigReader`; with the environment provider the key `jwt.expires.in`
/// is the variable `JWT_EXPIRES_IN`. `config/example.env` lists them all with their defaults.
struct AppConfiguration: Sendable {
    enum Environment: String, Sendable, CaseIterable { case development, production, test }
    enum MailTransportKind: String, Sendable, CaseIterable { case log, file, smtp }

    var host = "127.0.0.1"
    var port = 9001
    /// A connection idle this long, or still sending its request head, is closed (slowloris).
    var httpIdleTimeout: TimeInterval = 30
    /// How long SIGTERM waits for in-flight requests and the services to finish before it cancels them.
    var shutdownTimeout: TimeInterval = 10
    var databasePath = "./data/event-booking.sqlite"
    var environment = Environment.development
    /// nil: generated once and kept beside the database (development only).
    var jwtSecret: String?
    var jwtLifetime: TimeInterval = 24 * 3600
    var logLevel = Logger.Level.info
    var mailTransport = MailTransportKind.log
    /// Production accepts `MAIL_TRANSPORT=log` (codes in the log, no mail sent) only when this says so.
    var mailLogInProduction = false
    var mailOutboxDirectory = "./data/outbox"
    var mailFrom = "Event Booking <no-reply@event-booking.local>"
    /// nil: the templates shipped with the service.
    var mailTemplatesDirectory: String?
    /// SMTP delivery (`MAIL_TRANSPORT=smtp`): the original project's MAIL_* names.
    var mailHost: String?
    var mailPort: Int?
    var mailUser: String?
    var mailPassword: String?
    /// Implicit TLS (port 465) instead of STARTTLS.
    var mailSecure = false
    var mailTLSCAFile: String?
    var mailTimeout: TimeInterval = 30
    /// The first retry of a failed delivery waits this long; each later one twice as long (at most 1 h).
    var mailRetryBase: TimeInterval = 5
    /// Failed deliveries before a mail is given up.
    var mailMaxAttempts = 12
    var bookingMaxSeats = 10
    /// How long a hold lasts on an event that does not set its own `holdDurationSeconds`.
    var holdDefaultSeconds = 600
    /// Live seat streams (`GET /events/:id/availability`) open at once; past it, 503.
    var sseMaxClients = 1000
    /// false: registering as ORGANIZER is refused, and an operator runs `event-booking promote EMAIL`.
    var allowOrganizerSignup = true
    /// Failed logins per account; past it even the right password is refused until the window ends. nil: off.
    var rateLimitLoginPerAccount: RateLimit? = RateLimit(count: 10, window: 15 * 60)
    /// send-code, register and login requests per client address, whatever their outcome. nil: off.
    var rateLimitAuthPerIP: RateLimit? = RateLimit(count: 60, window: 60)
    /// POST /bookings and POST /holds per user. nil: off.
    var rateLimitBookingsPerUser: RateLimit? = RateLimit(count: 120, window: 60)
    /// The one proxy whose `X-Forwarded-For` (its last hop) names the client; nil: the socket's peer is the client.
    var trustedProxy: String?
    /// false: no metrics are kept, and /metrics is a 404.
    var metricsEnabled = true
    /// The bearer token /metrics requires; nil: only clients on loopback get it.
    var metricsToken: String?
    /// log2 of scrypt's N for password hashes.
    var passwordHashCost = 15
    var durability = AppDatabase.Durability.full
    /// How long delivered mail and spent one-time codes are kept before they are purged.
    var retention: TimeInterval = 7 * 86_400
    var codeRules = OneTimeCodeRules()
    /// Where Swagger UI's files are installed (Debian's python3-flasgger by default).
    var swaggerUIDirectory = SwaggerUIAssets.defaultDirectory

    init() {}

    /// Reads and validates every setting; throws `ConfigurationError` with the offending key and value.
    init(reader: ConfigReader) throws {
        let parser = SettingParser(reader: reader)
        host = parser.string("host") ?? host
        port = try parser.integer("port", in: 0...65_535) ?? port
        httpIdleTimeout = try parser.duration("http.idle.timeout") ?? httpIdleTimeout
        shutdownTimeout = try parser.duration("shutdown.timeout") ?? shutdownTimeout
        databasePath = parser.string("database.path") ?? databasePath
        environment = try parser.choice("app.env", Environment.self) ?? environment
        jwtSecret = parser.string("jwt.secret", isSecret: true)
        jwtLifetime = try parser.duration("jwt.expires.in") ?? jwtLifetime
        logLevel = try parser.choice("log.level", Logger.Level.self) ?? logLevel
        mailTransport = try parser.choice("mail.transport", MailTransportKind.self) ?? mailTransport
        mailLogInProduction = try parser.boolean("mail.log.in.production") ?? mailLogInProduction
        mailOutboxDirectory = parser.string("mail.outbox.dir") ?? mailOutboxDirectory
        mailFrom = parser.string("mail.from") ?? mailFrom
        mailTemplatesDirectory = parser.string("mail.templates.dir")
        mailHost = parser.string("mail.host")
        mailPort = try parser.integer("mail.port", in: 1...65_535)
        mailUser = parser.string("mail.user")
        mailPassword = parser.string("mail.password", isSecret: true)
        mailSecure = try parser.boolean("mail.secure") ?? mailSecure
        mailTLSCAFile = parser.string("mail.tls.ca.file")
        mailTimeout = try parser.duration("mail.timeout") ?? mailTimeout
        mailRetryBase = try parser.duration("mail.retry.base") ?? mailRetryBase
        mailMaxAttempts = try parser.integer("mail.max.attempts", in: 1...100) ?? mailMaxAttempts
        bookingMaxSeats = try parser.integer("booking.max.seats", in: 1...1_000) ?? bookingMaxSeats
        holdDefaultSeconds = try parser.integer("hold.default.seconds", in: 5...7200) ?? holdDefaultSeconds
        sseMaxClients = try parser.integer("sse.max.clients", in: 1...100_000) ?? sseMaxClients
        allowOrganizerSignup = try parser.boolean("allow.organizer.signup") ?? allowOrganizerSignup
        rateLimitLoginPerAccount = try parser.rateLimit("rate.limit.login.per.account") ?? rateLimitLoginPerAccount
        rateLimitAuthPerIP = try parser.rateLimit("rate.limit.auth.per.ip") ?? rateLimitAuthPerIP
        rateLimitBookingsPerUser = try parser.rateLimit("rate.limit.bookings.per.user") ?? rateLimitBookingsPerUser
        trustedProxy = parser.string("trusted.proxy")
        metricsEnabled = try parser.boolean("metrics.enabled") ?? metricsEnabled
        metricsToken = parser.string("metrics.token", isSecret: true)
        passwordHashCost = try parser.integer("password.hash.cost", in: 4...20) ?? passwordHashCost
        durability = try parser.choice("database.synchronous", AppDatabase.Durability.self) ?? durability
        retention = try parser.duration("data.retention") ?? retention
        codeRules.lifetime = try parser.duration("otp.ttl") ?? codeRules.lifetime
        codeRules.resendCooldown = try parser.duration("otp.resend.cooldown") ?? codeRules.resendCooldown
        codeRules.maxFailedAttempts = try parser.integer("otp.max.attempts", in: 1...100) ?? codeRules.maxFailedAttempts
        codeRules.maxSends = try parser.integer("otp.max.sends", in: 1...1_000) ?? codeRules.maxSends
        codeRules.sendWindow = try parser.duration("otp.send.window") ?? codeRules.sendWindow
        codeRules.blockDuration = try parser.duration("otp.block") ?? codeRules.blockDuration
        swaggerUIDirectory = parser.string("swagger.ui.dir") ?? swaggerUIDirectory
        if environment == .production, passwordHashCost < 14 {
            throw ConfigurationError("PASSWORD_HASH_COST must be at least 14 in production, got \(passwordHashCost)")
        }
        if environment == .production, mailTransport == .log, !mailLogInProduction {
            throw ConfigurationError(
                "MAIL_TRANSPORT is log (the default) in production: every one-time code would go to the log and no mail would be sent; "
                    + "set MAIL_TRANSPORT=smtp with MAIL_HOST, or MAIL_LOG_IN_PRODUCTION=true to run like that on purpose")
        }
        if mailTransport == .smtp, mailHost == nil {
            throw ConfigurationError("MAIL_TRANSPORT=smtp needs MAIL_HOST (and usually MAIL_PORT, MAIL_USER, MAIL_PASSWORD, MAIL_FROM)")
        }
    }

    /// A random hex secret of 32 bytes has about 16 different characters; a repeated word has few.
    static let minimumDistinctSecretBytes = 10

    /// The HS256 secret: the configured one, or in development one generated once and kept in
    /// `<database folder>/jwt-secret` so that tokens survive restarts. Production requires a strong one.
    func resolvedJWTSecret() throws -> String {
        if let jwtSecret {
            guard jwtSecret.utf8.count >= 32 else {
                throw ConfigurationError("JWT_SECRET must be at least 32 bytes (it has \(jwtSecret.utf8.count)); generate one with: openssl rand -hex 32")
            }
            // Long but guessable ("aaaa…", a word repeated) is as weak as short where it matters.
            if environment == .production, Set(jwtSecret.utf8).count < Self.minimumDistinctSecretBytes {
                throw ConfigurationError(
                    "JWT_SECRET is too predictable: it has fewer than \(Self.minimumDistinctSecretBytes) different characters; generate one with: openssl rand -hex 32")
            }
            return jwtSecret
        }
        guard environment != .production else {
            throw ConfigurationError("JWT_SECRET is required when APP_ENV=production; generate one with: openssl rand -hex 32")
        }
        let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent()
        let file = folder.appendingPathComponent("jwt-secret")
        if let stored = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), stored.utf8.count >= 32 {
            return stored
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        try Data(secret.utf8).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return secret
    }
}

/// A setting that is present but unusable; the message names the variable and what it expects.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension AppDatabase.Durability: CustomStringConvertible {
    public var description: String { rawValue }
}

/// Reads settings as strings and parses them strictly, so that `PORT=abc` stops the start.
struct SettingParser {
    let reader: ConfigReader

    func string(_ key: String, isSecret: Bool = false) -> String? {
        guard let value = reader.string(forKey: ConfigKey(key), isSecret: isSecret)?.trimmingCharacters(in: .whitespaces), !value.isEmpty
        else { return nil }
        return value
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError("\(Self.variable(key)) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, _: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let value = Value(rawValue: text.lowercased()) ?? Value(rawValue: text.uppercased()) else {
            throw ConfigurationError("\(Self.variable(key)) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return value
    }

    func boolean(_ key: String) throws -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError("\(Self.variable(key)) must be true or false, got '\(text)'")
        }
    }

    /// A rate limit, `N/window` or `off`: `.some(nil)` for off, nil when unset.
    func rateLimit(_ key: String) throws -> RateLimit?? {
        guard let text = string(key) else { return nil }
        do {
            return .some(try RateLimit.parse(text))
        } catch let error as ConfigurationError {
            throw ConfigurationError("\(Self.variable(key)): \(error.description)")
        }
    }

    /// A duration: `90` or `90s` seconds, `250ms`, `15m`, `24h`, `7d`.
    func duration(_ key: String) throws -> TimeInterval? {
        guard let text = string(key) else { return nil }
        guard let value = Self.seconds(text) else {
            throw ConfigurationError("\(Self.variable(key)) must be a positive duration like 90, 90s, 15m, 24h or 7d, got '\(text)'")
        }
        return value
    }

    /// The seconds a positive duration names (`90`, `90s`, `250ms`, `15m`, `24h`, `7d`), or nil; every duration
    /// setting is read with it, rate limit windows included.
    static func seconds(_ text: some StringProtocol) -> TimeInterval? {
        var number = Substring(text)
        var scale = 1.0
        if number.hasSuffix("ms") {
            number = number.dropLast(2)
            scale = 0.001
        } else if let unit = number.last.flatMap({ ["s": 1, "m": 60, "h": 3600, "d": 86_400][$0] as Double? }) {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Double(number), value > 0 else { return nil }
        return value * scale
    }

    static func variable(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
