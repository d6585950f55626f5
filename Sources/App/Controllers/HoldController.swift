import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mail
import Storage

/// `/holds`: take seats for a while (`holdDurationSeconds` of the event), then confirm them into a booking or
/// give them back. A hold's expiry is fixed when it is made; `HoldExpiryService` gives lapsed seats back.
struct HoldController {
    let database: AppDatabase
    let maxSeatsPerHold: Int
    let mailer: Mailer
    var limits = RateLimits()

    func addRoutes(to router: Router<AppRequestContext>) {
        let holds = router.group("holds", context: AuthenticatedContext.self)
        holds.post(use: create)
        holds.get(":ref", use: show)
        holds.post(":ref/confirm", use: confirm)
        holds.delete(":ref", use: release)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        // A hold takes seats as a booking does, so it counts against the same per-user limit.
        try limits.countBooking(userId: context.userId)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let (eventId, seatCount) = fields.seatRequest(maxSeats: maxSeatsPerHold)
        let idempotency = IdempotencyRequest.from(request, eventId: eventId, seatCount: seatCount, fields: &fields)
        guard let eventId, let seatCount, fields.isValid else { throw fields.error }

        let outcome = try await database.placeHold(eventId: Int64(eventId), seatCount: seatCount, userId: context.userId, idempotency: idempotency)
        let (details, replayed) = switch outcome {
        case .created(let details): (details, false)
        case .replayed(let details): (details, true)
        }
        if !replayed {
            context.logger.info(
                "seats held", metadata: ["hold.reference": "\(details.hold.holdReference)", "event.id": "\(eventId)", "seats": "\(seatCount)"])
        }
        let envelope = HoldEnvelope(message: "Seats held; confirm before expiresAt", data: HoldResponse(details))
        var response = try envelope.response(from: request, context: context)
        response.status = .created
        if replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> HoldResponse {
        HoldResponse(try await database.hold(reference: try Self.reference(context), viewerId: context.userId))
    }

    /// 201 with the booking, as `POST /bookings` answers.
    @Sendable func confirm(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let reference = try Self.reference(context)
        let details = try await database.confirmHold(reference: reference, userId: context.userId)
        mailer.wakeUp.signal()
        context.logger.info(
            "hold confirmed", metadata: ["hold.reference": "\(reference)", "booking.reference": "\(details.booking.bookingReference)"])
        return BookingController.created(details, replayed: false)
    }

    @Sendable func release(_ request: Request, context: AuthenticatedContext) async throws -> HoldEnvelope {
        let details = try await database.releaseHold(reference: try Self.reference(context), userId: context.userId)
        // The seats may have gone to the waitlist, whose offers are mailed.
        mailer.wakeUp.signal()
        context.logger.info("hold released", metadata: ["hold.reference": "\(details.hold.holdReference)"])
        return HoldEnvelope(message: "Hold released. Seats have been released.", data: HoldResponse(details))
    }

    /// The `:ref` parameter when it is a UUID; anything else names no hold (404).
    static func reference(_ context: AuthenticatedContext) throws -> String {
        guard let reference = context.referenceParameter else { throw AppError(StorageError.notFound(.hold)) }
        return reference
    }
}
