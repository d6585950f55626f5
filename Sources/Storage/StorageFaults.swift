import Logging
import Synchronization

/// Whether the database can be written right now, from the outcome of every write.
///
/// A storage fault (`StorageError(fault:)`: a full disk, an I/O error, a read-only file, a lock held
/// elsewhere) is logged once at error level when it starts, not once per refused request, and once at
/// notice level when a write succeeds again. Readiness uses it: while a fault stands, the service is not
/// ready, and a probe write finds out when it has cleared.
final class StorageFaults: Sendable {
    private let fault = Mutex<StorageError?>(nil)
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The fault that made the last write fail, or nil when the last write succeeded.
    var current: StorageError? { fault.withLock { $0 } }

    /// Records a failed write; only a storage fault counts (a refusal or a constraint says nothing of the disk).
    func record(_ error: any Error) {
        guard let newFault = StorageError(fault: error) else { return }
        let started = fault.withLock { fault -> Bool in
            defer { fault = newFault }
            return fault == nil
        }
        if started {
            logger.error("storage fault: writes fail until it clears", metadata: ["error": "\(newFault)"])
        }
    }

    func recordSuccess() {
        let cleared = fault.withLock { fault -> StorageError? in
            defer { fault = nil }
            return fault
        }
        if let cleared {
            logger.notice("storage recovered: writes succeed again", metadata: ["after": "\(cleared)"])
        }
    }
}
