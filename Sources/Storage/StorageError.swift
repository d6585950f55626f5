import Foundation
import GRDB

/// A rule of the data that a use case refused to break. App gives each case its HTTP meaning.
public enum StorageError: Error, Equatable, Sendable {
    public enum Entity: String, Sendable { case user, event, booking, hold, waitlistEntry }

    case notFound(Entity)
    /// The caller may see the thing but not change it (not the owner).
    case forbidden(Entity)
    case emailInUse
    case eventNotBookable(EventStatus)
    case eventInPast
    case seatsUnavailable(requested: Int, available: Int)
    case bookingAlreadyCancelled
    /// A cancelled booking cannot be checked in.
    case bookingCancelled
    case eventHasBookings
    case seatsBelowBooked(booked: Int)
    case eventIsFinal(EventStatus)
    case unpublishWithBookings
    case idempotencyKeyReused
    /// The hold's `expiresAt` has passed (whether or not the sweep has marked it yet).
    case holdExpired
    /// The hold was confirmed or released already.
    case holdNotActive(HoldStatus)
    /// The seats asked would take the user past the event's `maxSeatsPerUser`.
    case userSeatLimit(limit: Int, remaining: Int)
    /// Joining a waitlist when the seats asked are available: book or hold them instead.
    case seatsAvailable(available: Int)
    /// The user already waits for (or has an offer of) this event's seats.
    case alreadyOnWaitlist
    /// A waitlist entry for more seats than the event has can never be served.
    case waitlistAboveCapacity(totalSeats: Int)
    /// `maxSeatsPerUser` must not exceed `totalSeats`.
    case maxSeatsPerUserAboveTotal(totalSeats: Int)
    case oneTimeCode(OneTimeCodeFailure)
    /// The write could not be stored because the disk is full; nothing of it was kept.
    case storageFull
    /// The write could not be stored (an I/O error, a read-only file, a lock held by another process);
    /// nothing of it was kept. `reason` is SQLite's, for the log.
    case storageUnavailable(reason: String)
}

extension StorageError {
    /// What a failed write transaction means to its callers: a refusal passes through, a storage fault is
    /// `storageFull` or `storageUnavailable`, and any other error is `storageUnavailable` too (the
    /// transaction is in doubt, so nothing of it was kept).
    init(writeFailure error: any Error) {
        if let error = error as? StorageError {
            self = error
        } else {
            self = StorageError(fault: error) ?? .storageUnavailable(reason: "\(error)")
        }
    }

    /// True when `error` is a storage fault, as SQLite's error or as the booking writer tells its callers
    /// (`storageFull`, `storageUnavailable`): what background services log once, at debug level, since
    /// Storage logs the fault itself.
    public static func isFault(_ error: any Error) -> Bool {
        switch error as? StorageError {
        case .storageFull?, .storageUnavailable?: true
        default: StorageError(fault: error) != nil
        }
    }

    /// The storage fault `error` is, when it is one: the disk is full, or the file cannot be written now (an
    /// I/O error, a read-only file or folder, a lock held by another process beyond the busy timeout).
    /// Nil for anything else (a refusal, a constraint, a bug).
    public init?(fault error: any Error) {
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_FULL:
            self = .storageFull
        case .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_NOMEM, .SQLITE_PROTOCOL:
            self = .storageUnavailable(reason: "\(error.resultCode): \(error.message ?? "")")
        default:
            return nil
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
