import HTTPTypes
import Auth
import Foundation
import Hummingbird
import NIOCore
import Storage

/// The one table that gives every foreign error its HTTP meaning.
extension AppError {
    init(_ error: StorageError) {
        switch error {
        case .notFound(let entity):
            self.init(status: .notFound, code: "\(entity.code)_NOT_FOUND", message: "\(entity.name.prefix(1).uppercased() + entity.name.dropFirst()) not found")
        case .forbidden(let entity):
            self.init(status: .forbidden, code: "FORBIDDEN", message: "You do not have access to this \(entity.name)")
        case .emailInUse:
            self.init(status: .conflict, code: "EMAIL_IN_USE", message: "Email is already registered")
        case .eventNotBookable(let status):
            self.init(status: .badRequest, code: "EVENT_NOT_BOOKABLE", message: "Event is not available for booking (status: \(status.rawValue))")
        case .eventInPast:
            self.init(status: .badRequest, code: "EVENT_IN_PAST", message: "Event has already taken place")
        case .seatsUnavailable(let requested, let available):
            self.init(
                status: .conflict, code: "SEATS_UNAVAILABLE",
                message: "Not enough seats available. Requested: \(requested), Available: \(available)")
        case .bookingAlreadyCancelled:
            self.init(status: .badRequest, code: "BOOKING_ALREADY_CANCELLED", message: "Booking is already cancelled")
        case .bookingCancelled:
            self.init(status: .conflict, code: "BOOKING_CANCELLED", message: "Booking is cancelled and cannot be checked in")
        case .eventHasBookings:
            self.init(status: .badRequest, code: "EVENT_HAS_BOOKINGS", message: "Event has bookings; cancel the event instead of deleting it")
        case .seatsBelowBooked(let booked):
            self.init(status: .badRequest, code: "SEATS_BELOW_BOOKED", message: "Cannot reduce total seats below \(booked) (already booked seats)")
        case .eventIsFinal(let status):
            self.init(status: .badRequest, code: "EVENT_NOT_EDITABLE", message: "Event is \(status.rawValue) and can no longer be changed")
        case .unpublishWithBookings:
            self.init(status: .badRequest, code: "EVENT_HAS_BOOKINGS", message: "Event has confirmed bookings and cannot go back to DRAFT")
        case .idempotencyKeyReused:
            self.init(status: .unprocessableContent, code: "IDEMPOTENCY_KEY_REUSED", message: "Idempotency-Key was already used with a different request body")
        case .holdExpired:
            self.init(status: .gone, code: "HOLD_EXPIRED", message: "The hold has expired and its seats were released")
        case .holdNotActive(let status):
            self.init(status: .conflict, code: "HOLD_NOT_ACTIVE", message: "The hold is \(status.rawValue) and can no longer be confirmed or released")
        case .userSeatLimit(let limit, let remaining):
            self.init(
                status: .conflict, code: "USER_SEAT_LIMIT",
                message: "At most \(limit) seats per person for this event, bookings and holds together; you may add \(remaining) more",
                meta: .object(["maxSeatsPerUser": .integer(Int64(limit)), "remainingSeats": .integer(Int64(remaining))]))
        case .seatsAvailable(let available):
            self.init(
                status: .conflict, code: "SEATS_AVAILABLE",
                message: "\(available) seats are available: book or hold them instead of waiting")
        case .alreadyOnWaitlist:
            self.init(status: .conflict, code: "ALREADY_ON_WAITLIST", message: "You are already on the waitlist of this event")
        case .waitlistAboveCapacity(let total):
            self = .validation(field: "seatCount", "seatCount must be at most the event's \(total) seats")
        case .maxSeatsPerUserAboveTotal(let total):
            self = .validation(field: "maxSeatsPerUser", "maxSeatsPerUser must be at most totalSeats (\(total))")
        case .oneTimeCode(let failure):
            self.init(failure)
        case .storageFull:
            self.init(
                status: .serviceUnavailable, code: "STORAGE_FULL", message: "The service cannot store anything right now: its disk is full",
                headers: [.retryAfter: "\(Self.storageRetryAfterSeconds)"])
        case .storageUnavailable:
            self.init(
                status: .serviceUnavailable, code: "STORAGE_UNAVAILABLE", message: "The service cannot store anything right now; try again shortly",
                headers: [.retryAfter: "\(Self.storageRetryAfterSeconds)"])
        }
    }

    /// What a 503 from storage asks clients to wait: long enough not to pile on, short enough to notice recovery.
    static let storageRetryAfterSeconds = 5

    init(_ failure: OneTimeCodeFailure) {
        func otpMeta(_ retries: Int, _ maxRetries: Int) -> JSONValue {
            .object(["email": .object(["status": .bool(false), "retries": .integer(Int64(retries)), "maxRetries": .integer(Int64(maxRetries))])])
        }
        switch failure {
        case .resendTooSoon(let seconds):
            self.init(
                status: .tooManyRequests, code: "OTP_RESEND_TOO_SOON", message: "A code was sent recently; try again in \(seconds) seconds",
                headers: [.retryAfter: "\(seconds)"])
        case .blocked(let until):
            let seconds = max(1, Int(until.timeIntervalSinceNow.rounded(.up)))
            self.init(
                status: .tooManyRequests, code: "OTP_BLOCKED", message: "Too many attempts; this address is blocked until \(Timestamp.string(until))",
                headers: [.retryAfter: "\(seconds)"])
        case .invalid(let failed, let max):
            self.init(status: .unprocessableContent, code: "OTP_INVALID", message: "Invalid verification code", meta: otpMeta(failed, max))
        case .expired(let failed, let max):
            self.init(status: .unprocessableContent, code: "OTP_EXPIRED", message: "Verification code has expired", meta: otpMeta(failed, max))
        }
    }

    /// Any error thrown while answering a request, as the client will see it.
    init(any error: any Error, request: Request) {
        switch error {
        case let error as AppError:
            self = error
        case let error as StorageError:
            self.init(error)
        case let error where StorageError(fault: error) != nil:
            // A write that SQLite could not store (full disk, read-only file, lock held elsewhere): 503, not 500.
            self.init(StorageError(fault: error)!)
        case AuthError.invalidToken:
            self = .unauthorized("Invalid or expired token")
        case AuthError.busy:
            self.init(
                status: .serviceUnavailable, code: "BUSY", message: "Too many sign-ins at once; try again in a moment",
                headers: [.retryAfter: "1"])
        case is NIOTooManyBytesError:
            self.init(status: .contentTooLarge, code: "PAYLOAD_TOO_LARGE", message: "Request body is too large")
        case let error as HTTPError where error.status == .notFound:
            self.init(status: .notFound, code: "NOT_FOUND", message: "Cannot \(request.method.rawValue) \(request.uri.path)")
        case let error as any HTTPResponseError where error.status.code < 500:
            self.init(
                status: error.status, code: error.status.reasonPhrase.uppercased().replacingOccurrences(of: " ", with: "_"),
                message: (error as? HTTPError)?.body ?? error.status.reasonPhrase)
        default:
            self = .internalError
        }
    }
}

extension StorageError.Entity {
    /// How an error code names it: `HOLD` in `HOLD_NOT_FOUND`.
    var code: String {
        switch self {
        case .waitlistEntry: "WAITLIST_ENTRY"
        default: rawValue.uppercased()
        }
    }

    /// How a message names it.
    var name: String {
        switch self {
        case .waitlistEntry: "waitlist entry"
        default: rawValue
        }
    }
}
