import Auth
import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Mail
import ServiceLifecycle
import Storage

/// The composition root: opens the database named by `configuration` and builds the application on it.
/// The database is closed when the application stops.
func buildApplication(_ configuration: AppConfiguration, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    let logger = logger ?? makeLogger(configuration)
    let metrics = configuration.metricsEnabled ? ServiceMetrics() : nil
    let database = try AppDatabase(
        path: configuration.databasePath, durability: configuration.durability, metrics: metrics?.factory ?? NOOPMetricsHandler.instance,
        logger: logger)
    return try await buildApplication(configuration, database: database, metrics: metrics, closeDatabaseOnStop: true, logger: logger)
}

/// Builds the application on an open `database` (tests pass their own, to look inside it afterwards).
/// `metrics` is where the requests, bookings and rate limits are counted (the database's writer reports to
/// its `factory` when it was opened with it); nil: nothing is counted and /metrics is a 404.
func buildApplication(
    _ configuration: AppConfiguration, database: AppDatabase, metrics: ServiceMetrics? = nil, closeDatabaseOnStop: Bool = false,
    logger: Logger? = nil
) async throws -> some ApplicationProtocol {
    let logger = logger ?? makeLogger(configuration)
    let secret = try configuration.resolvedJWTSecret()
    let tokens = try await TokenService(secret: secret, lifetime: configuration.jwtLifetime)

    if configuration.environment == .production, configuration.mailTransport == .log {
        logger.warning("MAIL_TRANSPORT=log in production: mails, one-time codes included, go to the log and nowhere else")
    }
    let templates = try await MailTemplates(directory: configuration.mailTemplatesDirectory ?? MailTemplates.bundledDirectory)
    let mailer = Mailer(templates: templates, sealer: MailSealer(secret: secret), wakeUp: OutboxWakeUp())
    let router = try await buildRouter(
        configuration, database: database, tokens: tokens, secret: secret, mailer: mailer, metrics: metrics, logger: logger)
    var outbox = OutboxDeliveryService(
        database: database, transport: try makeMailTransport(configuration, logger: logger), mailer: mailer, logger: logger)
    outbox.baseBackoff = configuration.mailRetryBase
    outbox.maxAttempts = configuration.mailMaxAttempts
    let retention = RetentionService(database: database, retention: configuration.retention, codeRules: configuration.codeRules, logger: logger)
    let holdExpiry = HoldExpiryService(database: database, mailer: mailer, logger: logger)
    let databaseServices: [any Service] = closeDatabaseOnStop ? [DatabaseService(database: database, logger: logger)] : []
    return Application(
        router: router,
        // Closes connections that are idle, or trickle their request head, for longer than the timeout.
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.httpIdleTimeout * 1000)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "event-booking"),
        // Stopped in reverse order: the server first, then the outbox, the hold expiry and the purge, then the database.
        services: databaseServices + [retention, holdExpiry, outbox],
        onServerRunning: { channel in
            logger.info("event-booking listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")", "database": "\(configuration.databasePath)"])
        },
        logger: logger)
}

/// Every route of the service, behind the middleware every request passes (logging, errors, authentication).
func buildRouter(
    _ configuration: AppConfiguration, database: AppDatabase, tokens: TokenService, secret: String, mailer: Mailer,
    metrics: ServiceMetrics?, logger: Logger
) async throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    var limits = RateLimits(configuration)
    limits.metrics = metrics
    if let metrics { router.add(middleware: RequestMetricsMiddleware(factory: metrics.factory)) }
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AuthenticationMiddleware(tokens: tokens, database: database))
    let accounts = Accounts(
        database: database, passwords: PasswordHasher(costLog2: configuration.passwordHashCost), tokens: tokens,
        codes: OneTimeCodes(secret: secret), codeRules: configuration.codeRules, mailer: mailer,
        allowOrganizerSignup: configuration.allowOrganizerSignup, limits: limits)
    AuthController(accounts: accounts).addRoutes(to: router)

    // The web pages: the same use cases, with a session cookie and CSRF-checked forms.
    let pages = try await WebPages.load(
        session: WebSession(accounts: accounts, secret: secret, lifetime: configuration.jwtLifetime, trustedProxy: configuration.trustedProxy))
    pages.addRoutes(to: router)
    let publicPages = PublicPagesController(
        pages: pages, database: database, maxSeatsPerBooking: configuration.bookingMaxSeats, mailer: mailer, limits: limits)
    publicPages.addRoutes(to: router)
    HoldPagesController(
        pages: pages, database: database, maxSeatsPerBooking: configuration.bookingMaxSeats, mailer: mailer,
        eventAgain: { await publicPages.eventAgain($0, $1, visitor: $2, user: $3, seatCount: $4) }, limits: limits
    ).addRoutes(to: router)
    AccountPagesController(pages: pages, accounts: accounts).addRoutes(to: router)
    MyBookingsPagesController(pages: pages, database: database, mailer: mailer).addRoutes(to: router)
    OrganizerPagesController(pages: pages, database: database, mailer: mailer, holdDefaultSeconds: configuration.holdDefaultSeconds)
        .addRoutes(to: router)

    EventController(database: database, mailer: mailer, holdDefaultSeconds: configuration.holdDefaultSeconds, page: publicPages.event)
        .addRoutes(to: router)
    HoldController(database: database, maxSeatsPerHold: configuration.bookingMaxSeats, mailer: mailer, limits: limits)
        .addRoutes(to: router)
    WaitlistController(database: database, maxSeatsPerEntry: configuration.bookingMaxSeats, mailer: mailer).addRoutes(to: router)
    BookingController(database: database, maxSeatsPerBooking: configuration.bookingMaxSeats, mailer: mailer, limits: limits, metrics: metrics)
        .addRoutes(to: router)
    AttendeeController(database: database).addRoutes(to: router)
    SeatLedgerController(database: database).addRoutes(to: router)
    EventStatsController(database: database).addRoutes(to: router)
    AvailabilityController(database: database, slots: StreamSlots(limit: configuration.sseMaxClients)).addRoutes(to: router)
    HealthController(database: database).addRoutes(to: router)
    if let metrics {
        MetricsController(metrics: metrics, database: database, token: configuration.metricsToken, limits: limits).addRoutes(to: router)
    }
    APIDocumentationController(
        document: OpenAPIDocument.make(maxSeatsPerBooking: configuration.bookingMaxSeats),
        swaggerUI: SwaggerUIAssets(directory: configuration.swaggerUIDirectory, logger: logger)
    ).addRoutes(to: router)
    return router
}

/// The transport `MAIL_TRANSPORT` names.
func makeMailTransport(_ configuration: AppConfiguration, logger: Logger) throws -> any MailTransport {
    switch configuration.mailTransport {
    case .log:
        return LogMailTransport(logger: logger)
    case .file:
        return try FileMailTransport(directory: URL(fileURLWithPath: configuration.mailOutboxDirectory), from: configuration.mailFrom)
    case .smtp:
        let secure = configuration.mailSecure
        return try SMTPMailTransport(
            configuration: SMTPConfiguration(
                host: configuration.mailHost ?? "localhost", port: configuration.mailPort ?? (secure ? 465 : 587),
                security: secure ? .implicitTLS : .startTLSWhenOffered, username: configuration.mailUser, password: configuration.mailPassword,
                from: configuration.mailFrom, trustedCAFile: configuration.mailTLSCAFile, timeout: configuration.mailTimeout))
    }
}

func makeLogger(_ configuration: AppConfiguration) -> Logger {
    var logger = Logger(label: "event-booking")
    logger.logLevel = configuration.logLevel
    return logger
}

/// Closes the database after the HTTP server has finished its in-flight requests.
///
/// Application shuts its services down in reverse order, and the server is last in its list, so this
/// runs only once the server has stopped.
struct DatabaseService: Service, CustomStringConvertible {
    let database: AppDatabase
    let logger: Logger
    /// How ServiceLifecycle names it in its log.
    var description: String { "DatabaseService" }

    func run() async throws {
        try? await gracefulShutdown()
        try database.close()
        logger.info("database closed")
    }
}
