import Foundation
import Logging
import Mail
import ServiceLifecycle
import Storage

/// Gives the seats of lapsed holds back within a second of their expiry, through the booking writer.
///
/// It sleeps until the next hold lapses, but never longer than `maxSleep`: a hold made meanwhile lasts at
/// least 5 s, so it cannot lapse unseen. Until the sweep has run, reads already count a lapsed hold's seats
/// as available, and a booking or hold that needs them expires the lapsed holds of its event itself.
struct HoldExpiryService: Service {
    let database: AppDatabase
    let mailer: Mailer
    let logger: Logger
    var maxSleep: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var sleep = maxSleep
                do {
                    if let next = try await database.nextHoldExpiry() {
                        let wait = next.timeIntervalSinceNow
                        if wait <= 0 {
                            let expired = try await database.expireLapsedHolds()
                            if expired > 0 {
                                mailer.wakeUp.signal()
                                logger.info("holds expired", metadata: ["holds": "\(expired)"])
                            }
                            continue
                        }
                        sleep = min(sleep, .milliseconds(Int(wait * 1000) + 1))
                    }
                } catch where !Task.isCancelled {
                    // A storage fault is logged once by Storage; the holds lapse on the next try.
                    logger.log(level: StorageError.isFault(error) ? .debug : .error, "hold expiry failed", metadata: ["error": "\(error)"])
                } catch {
                    return
                }
                try? await Task.sleep(for: sleep)
            }
        }
    }
}

/// Named in ServiceLifecycle's log, not dumped with its mailer and templates.
extension HoldExpiryService: CustomStringConvertible {
    var description: String { "HoldExpiryService" }
}
