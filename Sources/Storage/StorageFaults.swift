import Foundation
import Logging
import Synchronization

/// Whether the database can be written right now, from the outcome of every write.
///
/// A storage fault (`StorageError(fault:)`: a full disk, an I/O error, a read-only file, a lock held
/// elsewhere) is logged once at error level when it starts, not once per refused request, and once at
/// notice level when a write succeeds again. Readiness uses it: while a fault stands, the service is not
/// ready, and a probe write finds out when it has cleared.
///
/// A full disk clears only once `minimumFreeBytes` are free again: on a nearly full disk a small write
/// (the probe, a one-time code) can still fit where a batch of bookings cannot, and readiness must not
/// flap between the two.
///
/// While a fault stands, `admitWrite` lets one write through per `retryInterval` and refuses the others at
/// once: a write to a file locked by another process waits out the whole busy timeout, and writes queued
/// behind each other would keep their callers waiting that long each before their 503.
final class StorageFaults: Sendable {
    private struct State {
        var fault: StorageError?
        var lastAttempt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    let logger: Logger
    let retryInterval: Duration
    /// The database's folder, whose file system's free space ends a full-disk fault.
    let folder: String
    /// One auto-checkpoint's worth of WAL (`DatabaseConnections.walCheckpointPages` of 4 KiB) and some room.
    let minimumFreeBytes: Int

    init(
        folder: String, minimumFreeBytes: Int = DatabaseConnections.walCheckpointPages * 4096 + (8 << 20),
        retryInterval: Duration = .seconds(1), logger: Logger
    ) {
        self.folder = folder
        self.minimumFreeBytes = minimumFreeBytes
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// The fault that made the last write fail, or nil when the last write succeeded.
    var current: StorageError? { state.withLock { $0.fault } }

    /// Nil when a write may go to the database now; the standing fault when it must be refused at once.
    func admitWrite() -> StorageError? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let fault = state.fault else { return nil }
            if let last = state.lastAttempt, now - last < retryInterval { return fault }
            state.lastAttempt = now
            return nil
        }
    }

    /// Records a failed write; only a storage fault counts (a refusal or a constraint says nothing of the disk).
    func record(_ error: any Error) {
        guard let newFault = StorageError(fault: error) else { return }
        let now = ContinuousClock.now
        let started = state.withLock { state -> Bool in
            defer {
                state.fault = newFault
                state.lastAttempt = now
            }
            return state.fault == nil
        }
        if started {
            logger.error("storage fault: writes fail until it clears", metadata: ["error": "\(newFault)"])
        }
    }

    func recordSuccess() {
        let cleared = state.withLock { state -> StorageError? in
            guard let current = state.fault, current != .storageFull || freeBytes() >= minimumFreeBytes else { return nil }
            state.fault = nil
            return current
        }
        if let cleared {
            logger.notice("storage recovered: writes succeed again", metadata: ["after": "\(cleared)"])
        }
    }

    /// Bytes an unprivileged writer may still use on the database's file system (0 when unknown).
    func freeBytes() -> Int {
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return 0 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }
}
