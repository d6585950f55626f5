import Foundation

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
}

/// Why a one-time code was refused; `failedAttempts`/`maxAttempts` count wrong tries of the live code.
public enum OneTimeCodeFailure: Equatable, Sendable {
    case resendTooSoon(retryAfterSeconds: Int)
    case blocked(until: Date)
    case invalid(failedAttempts: Int, maxAttempts: Int)
    case expired(failedAttempts: Int, maxAttempts: Int)
}
