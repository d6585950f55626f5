import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail
import Storage

/// `/bookings`: book seats, list, show and cancel one's own bookings.
struct BookingController {
    let database: AppDatabase
    let maxSeatsPerBooking: Int
    let mailer: Mailer
    var limits = RateLimits()
    var metrics: ServiceMetrics?

    func addRoutes(to router: Router<AppRequestContext>) {
        let bookings = router.group("bookings", context: AuthenticatedContext.self)
        bookings.post(use: create)
        bookings.get(use: list)
        bookings.get(":ref", use: show)
        bookings.delete(":ref", use: cancel)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        guard let metrics else { return try await book(request, context: context).response }
        do {
            let (response, outcome) = try await book(request, context: context)
            metrics.recordBooking(outcome)
            return response
        } catch {
            metrics.recordBooking(Self.outcome(of: error))
            throw error
        }
    }

    /// How `eventbooking_bookings_total` counts a booking that failed with `error`.
    static func outcome(of error: any Error) -> ServiceMetrics.BookingOutcome {
        switch error {
        case let error as StorageError:
            switch error {
            case .seatsUnavailable: .soldOut
            case .eventNotBookable, .eventInPast: .notBookable
            default: .error
            }
        case let error as AppError where error.status == .tooManyRequests: .limited
        default: .error
        }
    }

    private func book(_ request: Request, context: AuthenticatedContext) async throws -> (response: Response, outcome: ServiceMetrics.BookingOutcome) {
        try limits.countBooking(userId: context.userId)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let (eventId, seatCount) = fields.seatRequest(maxSeats: maxSeatsPerBooking)
        let idempotency = IdempotencyRequest.from(request, eventId: eventId, seatCount: seatCount, fields: &fields)
        guard let eventId, let seatCount, fields.isValid else { throw fields.error }

        let outcome = try await database.createBooking(
            eventId: Int64(eventId), seatCount: seatCount, userId: context.userId, idempotency: idempotency)
        switch outcome {
        case .created(let details, let attempts):
            mailer.wakeUp.signal()
            context.logger.info(
                "booking confirmed",
                metadata: ["booking.reference": "\(details.booking.bookingReference)", "event.id": "\(eventId)", "attempts": "\(attempts)"])
            return (Self.created(details, replayed: false), .confirmed)
        case .replayed(let details):
            return (Self.created(details, replayed: true), .replayed)
        }
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> PageResponse<BookingResponse> {
        var query = request.queryFields()
        let page = query.page()
        let status = query.oneOf("status", required: false, BookingStatus.self)
        try query.validate()
        let bookings = try await database.bookings(userId: context.userId, status: status, page: page)
        return PageResponse(bookings, transform: BookingResponse.init)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> BookingResponse {
        BookingResponse(try await database.booking(reference: try Self.reference(context), viewerId: context.userId))
    }

    @Sendable func cancel(_ request: Request, context: AuthenticatedContext) async throws -> BookingEnvelope {
        let details = try await database.cancelBooking(reference: try Self.reference(context), userId: context.userId)
        metrics?.recordCancellation()
        mailer.wakeUp.signal()
        context.logger.info("booking cancelled", metadata: ["booking.reference": "\(details.booking.bookingReference)"])
        return BookingEnvelope(message: "Booking cancelled successfully. Seats have been released.", data: BookingResponse(details))
    }

    /// The `:ref` parameter when it is a UUID; anything else names no booking (404).
    static func reference(_ context: AuthenticatedContext) throws -> String {
        guard let reference = context.referenceParameter else { throw AppError(StorageError.notFound(.booking)) }
        return reference
    }

    /// The 201 of a booking, also when an Idempotency-Key replays it (then marked `Idempotent-Replayed`):
    /// the booking as it is now, so a replay after a cancellation says so.
    static func created(_ details: BookingDetails, replayed: Bool) -> Response {
        let envelope = BookingEnvelope(message: "Booking confirmed successfully", data: BookingResponse(details))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if replayed { headers[.idempotentReplayed] = "true" }
        return Response(status: .created, headers: headers, body: .init(byteBuffer: envelope.encodedJSON()))
    }
}

extension IdempotencyRequest {
    /// The request's `Idempotency-Key` with a hash of the fields that decide what it does (so formatting does not
    /// matter); nil without the header. Bookings and holds keep their keys apart. A key of the wrong length is reported into `fields`.
    static func from(_ request: Request, eventId: Int?, seatCount: Int?, fields: inout FieldReader) -> IdempotencyRequest? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        // Unicode scalars, as the database's CHECK (length(key) BETWEEN 1 AND 255) counts them: one
        // character with 300 combining marks is 301 there, and must be a 400 here, not a refused write.
        guard (1...255).contains(key.unicodeScalars.count) else {
            fields.report("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters")
            return nil
        }
        let digest = SHA256.hash(data: Array("eventId=\(eventId ?? 0)&seatCount=\(seatCount ?? 0)".utf8))
        return IdempotencyRequest(key: key, requestHash: digest.map { String(format: "%02x", $0) }.joined())
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
