import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Purges what the database no longer needs (delivered mail, spent one-time codes) once `retention` has
/// passed: at start and then every `interval`, so the file does not grow with every mail ever sent.
struct RetentionService: Service {
    let database: AppDatabase
    let retention: TimeInterval
    let codeRules: OneTimeCodeRules
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await database.purgeExpired(retention: retention, codeRules: codeRules)
                    if purged.outboxMessages + purged.oneTimeCodes > 0 {
                        logger.info(
                            "purged expired rows",
                            metadata: ["outbox.messages": "\(purged.outboxMessages)", "one_time_codes": "\(purged.oneTimeCodes)"])
                    }
                } catch where !Task.isCancelled {
                    logger.log(
                        level: StorageError.isFault(error) ? .debug : .error, "purge failed; trying again at the next interval",
                        metadata: ["error": "\(error)"])
                } catch {
                    return
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Named in ServiceLifecycle's log, not dumped with its database.
extension RetentionService: CustomStringConvertible {
    var description: String { "RetentionService" }
}
