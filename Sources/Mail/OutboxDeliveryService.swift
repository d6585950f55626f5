import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Delivers the outbox through the configured transport, in the background.
///
/// Each round takes the due messages, renders each (a booking mail from its booking, now), sends it, and
/// then marks every delivered one sent with one command of the booking writer, which shares the commit of
/// the bookings in its batch: a rush costs no commit for its mails. A crash between a send and that write
/// sends those mails again after the restart: at least once, never lost. A temporary failure (server down,
/// timeout) is tried again with exponential backoff and jitter; a permanent one (a 5xx answer) or
/// `maxAttempts` failures mark the message `FAILED` with the reason. Messages live in the database until
/// delivered.
public struct OutboxDeliveryService: Service {
    let database: AppDatabase
    let transport: any MailTransport
    let mailer: Mailer
    let logger: Logger
    public var maxAttempts = 12
    /// The first retry's delay; each later one doubles it, up to `maxBackoff`.
    public var baseBackoff: TimeInterval = 5
    public var maxBackoff: TimeInterval = 3600
    /// How often the outbox is looked at when nothing wakes the service.
    public var pollInterval: Duration = .seconds(5)
    /// Messages taken per round (and marked sent per write).
    public var batchSize = 100

    public init(database: AppDatabase, transport: any MailTransport, mailer: Mailer, logger: Logger) {
        self.database = database
        self.transport = transport
        self.mailer = mailer
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await deliverDueMessages()
                } catch where !Task.isCancelled {
                    // A storage fault is logged once by Storage; the mail waits in the outbox until it clears.
                    logger.log(
                        level: StorageError.isFault(error) ? .debug : .error, "outbox delivery round failed",
                        metadata: ["error": "\(error)"])
                } catch {
                    return  // shutting down: an interrupted delivery stays pending for the next start
                }
                await mailer.wakeUp.wait { await nextWait() }
            }
        }
    }

    /// Sends every message due now; returns how many were delivered.
    ///
    /// A read that returns fewer than `batchSize` messages has taken every one due: it is not read again. A
    /// message committed after that read signals the wake-up, so the next round, right after, takes it.
    @discardableResult
    public func deliverDueMessages(now: Date = Date()) async throws -> Int {
        var delivered = 0
        while !Task.isCancelled {
            let due = try await database.dueOutboxMessages(now: now, limit: batchSize)
            if due.isEmpty { break }
            var sent: [Int64] = []
            for message in due where try await deliver(message) {
                sent.append(message.id)
            }
            try await database.markOutboxSent(ids: sent)
            delivered += sent.count
            if due.count < batchSize { break }
        }
        return delivered
    }

    /// Sends one message; false when it failed (and that failure is recorded).
    private func deliver(_ message: OutboxMessage) async throws -> Bool {
        // Built only for a line that is written: most deliveries write none.
        func metadata(_ more: Logger.Metadata = [:]) -> Logger.Metadata {
            ["outbox.id": "\(message.id)", "mail.kind": "\(message.kind.rawValue)", "attempt": "\(message.attempts + 1)"].merging(more) { $1 }
        }
        let mail: MailMessage
        do {
            mail = try mailer.mail(for: message)
        } catch {
            // A payload this key cannot open (another secret, or altered) will never go out.
            try await database.markOutboxAttemptFailed(id: message.id, error: "cannot be rendered: \(error)", retryAt: nil)
            logger.error("mail cannot be rendered, marked failed", metadata: metadata(["error": "\(error)"]))
            return false
        }
        do {
            try await transport.send(mail)
            logger.debug("mail delivered", metadata: metadata())
            return true
        } catch {
            let attempts = message.attempts + 1
            var retryAt: Date?
            // Only the server's own refusal (5xx) is final; anything else may pass on a later try.
            let permanent = if case .permanent? = error as? MailDeliveryError { true } else { false }
            if !permanent, attempts < maxAttempts {
                retryAt = Date().addingTimeInterval(backoff(afterAttempt: attempts))
            }
            try await database.markOutboxAttemptFailed(id: message.id, error: "\(error)", retryAt: retryAt)
            logger.log(
                level: retryAt == nil ? .error : .warning, retryAt == nil ? "mail failed for good" : "mail delivery failed, will retry",
                metadata: metadata(["error": "\(error)", "retry.at": "\(retryAt.map { $0.formatted(.iso8601) } ?? "never")"]))
            return false
        }
    }

    /// base * 2^(attempt-1), capped, with +-20 % jitter so that many failures do not retry in lockstep.
    func backoff(afterAttempt attempt: Int) -> TimeInterval {
        let delay = min(maxBackoff, baseBackoff * pow(2, Double(attempt - 1)))
        return delay * Double.random(in: 0.8...1.2)
    }

    private func nextWait() async -> Duration {
        guard let next = try? await database.nextOutboxAttempt() else { return pollInterval }
        let seconds = max(0.01, min(next.timeIntervalSinceNow, 5))
        return .milliseconds(Int(seconds * 1000))
    }
}

/// How ServiceLifecycle names the service in its log: by name, not as a dump of its transport's settings, which
/// hold the SMTP password.
extension OutboxDeliveryService: CustomStringConvertible {
    public var description: String { "OutboxDeliveryService" }
}
