import Foundation
import GRDB

/// A rule of the data that a use case refused to break. App gives each case its HTTP meaning.
public enum StorageError: Error, Equatable, Sendable {
    public enum Entity: String, Sendable { case user, event, booking }

    case notFound(Entity)
    /// The caller may see the thing but not change it (not the owner).
    case forbidden(Entity)
    case emailInUse
    case eventNotBookable(EventStatus)
    case eventInPast
    case seatsUnavailable(requested: Int, available: Int)
    case bookingAlreadyCancelled
    case eventHasBookings
    case seatsBelowBooked(booked: Int)
    case eventIsFinal(EventStatus)
    case unpublishWithBookings
    case idempotencyKeyReused
    case oneTimeCode(OneTimeCodeFailure)
    /// The write could not be stored because the disk is full; nothing of it was kept.
    case storageFull
    /// The write could not be stored (an I/O error, a read-only file, a lock held by another process);
    /// nothing of it was kept. `reason` is SQLite's, for the log.
    case storageUnavailable(reason: String)
}

extension StorageError {
    /// What a failed write transaction means to its callers: a refusal passes through, a full disk is
    /// `storageFull`, and anything else the database said is `storageUnavailable`.
    init(writeFailure error: any Error) {
        switch error {
        case let error as StorageError:
            self = error
        case let error as DatabaseError where error.resultCode == .SQLITE_FULL:
            self = .storageFull
        case let error as DatabaseError:
            self = .storageUnavailable(reason: "\(error.resultCode): \(error.message ?? "")")
        default:
            self = .storageUnavailable(reason: "\(error)")
        }
    }
}

/// Why a one-time code was refused; `failedAttempts`/`maxAttempts` count wrong tries of the live code.
public enum OneTimeCodeFailure: Equatable, Sendable {
    case resendTooSoon(retryAfterSeconds: Int)
    case blocked(until: Date)
    case invalid(failedAttempts: Int, maxAttempts: Int)
    case expired(failedAttempts: Int, maxAttempts: Int)
}
