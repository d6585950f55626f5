import Auth
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Delivers the outbox through the configured transport, in the background.
///
/// A message is marked sent only after the transport accepted it, and its payload is dropped then.
/// A temporary failure (server down, timeout) is tried again with exponential backoff and jitter; a
/// permanent one (a 5xx answer) or `maxAttempts` failures mark it `FAILED` with the reason. Messages
/// survive restarts: they live in the database until delivered.
struct OutboxDeliveryService: Service {
    let database: AppDatabase
    let transport: any MailTransport
    let sealer: MailSealer
    let wakeUp: OutboxWakeUp
    let logger: Logger
    var maxAttempts = 12
    /// The first retry's delay; each later one doubles it, up to `maxBackoff`.
    var baseBackoff: TimeInterval = 5
    var maxBackoff: TimeInterval = 3600
    /// How often the outbox is looked at when nothing wakes the service.
    var pollInterval: Duration = .seconds(5)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await deliverDueMessages()
                } catch where !Task.isCancelled {
                    logger.error("outbox delivery round failed", metadata: ["error": "\(error)"])
                } catch {
                    return  // shutting down: an interrupted delivery stays pending for the next start
                }
                await wakeUp.wait(timeout: await nextWait())
            }
        }
    }

    /// Sends every message due now; returns how many were delivered.
    @discardableResult
    func deliverDueMessages(now: Date = Date()) async throws -> Int {
        var delivered = 0
        while !Task.isCancelled {
            let due = try await database.dueOutboxMessages(now: now)
            if due.isEmpty { break }
            for message in due {
                if try await deliver(message) { delivered += 1 }
            }
        }
        return delivered
    }

    private func deliver(_ message: OutboxMessage) async throws -> Bool {
        let id = message.id!
        let metadata: Logger.Metadata = ["outbox.id": "\(id)", "mail.kind": "\(message.kind)", "attempt": "\(message.attempts + 1)"]
        do {
            let mail = try sealer.open(Array(message.payload))
            try await transport.send(mail)
            try await database.markOutboxSent(id: id)
            logger.info("mail delivered", metadata: metadata)
            return true
        } catch let error as MailDeliveryError {
            let attempts = message.attempts + 1
            var retryAt: Date?
            if case .temporary = error, attempts < maxAttempts {
                retryAt = Date().addingTimeInterval(backoff(afterAttempt: attempts))
            }
            try await database.markOutboxAttemptFailed(id: id, error: error.description, retryAt: retryAt)
            logger.log(
                level: retryAt == nil ? .error : .warning, retryAt == nil ? "mail failed for good" : "mail delivery failed, will retry",
                metadata: metadata.merging(["error": "\(error)", "retry.at": "\(retryAt.map { Timestamp.string($0) } ?? "never")"]) { $1 })
            return false
        } catch {
            // A payload this key cannot open (another secret, or altered) will never go out.
            try await database.markOutboxAttemptFailed(id: id, error: "unreadable payload: \(error)", retryAt: nil)
            logger.error("mail unreadable, marked failed", metadata: metadata)
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
