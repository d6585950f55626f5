import Foundation
import Hummingbird
import Logging
import Mail
import Storage

/// Holding seats and waiting for them from the web pages: the event page's "Hold seats" and "Join the
/// waitlist", a hold's page with "Confirm booking" and "Release", and leaving a waitlist.
struct HoldPagesController {
    let pages: WebPages
    let database: AppDatabase
    let maxSeatsPerBooking: Int
    let mailer: Mailer
    /// The event page again after a failed form (`PublicPagesController.eventAgain`).
    let eventAgain: @Sendable (_ eventId: Int, WebPages.Problems, WebSession.Visitor, User, _ seatCount: String?) async -> Response
    var limits = RateLimits()

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("my/holds", use: hold)
        router.get("my/holds/:ref", use: show)
        router.post("my/holds/:ref/confirm", use: confirm)
        router.post("my/holds/:ref/release", use: release)
        router.post("my/waitlist", use: join)
        router.post("my/waitlist/:id/leave", use: leave)
    }

    @Sendable func hold(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await pages.withSignedInForm(request, context) { visitor, user, form in
            var fields = FieldReader(query: form)
            let (eventId, seatCount) = fields.seatRequest(maxSeats: maxSeatsPerBooking)
            guard let eventId else { return pages.redirect("/", visitor: visitor) }
            do {
                try limits.countBooking(userId: user.id!)
                guard let seatCount, fields.isValid else { throw fields.error }
                let outcome = try await database.placeHold(eventId: Int64(eventId), seatCount: seatCount, userId: user.id!)
                guard case .created(let held) = outcome else { return pages.redirect("/my/bookings", visitor: visitor) }
                context.logger.info("seats held", metadata: ["hold.reference": "\(held.hold.holdReference)", "via": "web"])
                return holdPage(held, visitor: visitor, status: .created)
            } catch {
                return try await eventAgain(eventId, error, request, visitor: visitor, user: user, seatCount: form["seatCount"], field: "seatCount")
            }
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard let user = visitor.user else { return pages.logInFirst(request, visitor: visitor) }
        guard let reference = context.referenceParameter,
            let held = try? await database.hold(reference: reference, viewerId: user.id!), held.hold.status == .active,
            !held.hold.hasLapsed(at: Date())
        else {
            return pages.message("No such hold", "This hold does not exist, or it has ended.", link: ("/my/bookings", "See my bookings"), visitor: visitor, status: .notFound)
        }
        return holdPage(held, visitor: visitor)
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await pages.withSignedInForm(request, context) { visitor, user, _ in
            guard let reference = context.referenceParameter else { return pages.redirect("/my/bookings", visitor: visitor) }
            do {
                let booked = try await database.confirmHold(reference: reference, userId: user.id!)
                mailer.wakeUp.signal()
                return pages.booked(booked, visitor: visitor)
            } catch {
                return try ended(error, request, visitor: visitor)
            }
        }
    }

    @Sendable func release(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await pages.withSignedInForm(request, context) { visitor, user, _ in
            guard let reference = context.referenceParameter else { return pages.redirect("/my/bookings", visitor: visitor) }
            do {
                let released = try await database.releaseHold(reference: reference, userId: user.id!)
                mailer.wakeUp.signal()
                return pages.redirect("/events/\(released.hold.eventId)", visitor: visitor)
            } catch {
                return try ended(error, request, visitor: visitor)
            }
        }
    }

    @Sendable func join(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await pages.withSignedInForm(request, context) { visitor, user, form in
            var fields = FieldReader(query: form)
            let (eventId, seatCount) = fields.seatRequest(maxSeats: maxSeatsPerBooking)
            guard let eventId else { return pages.redirect("/", visitor: visitor) }
            do {
                guard let seatCount, fields.isValid else { throw fields.error }
                _ = try await database.joinWaitlist(eventId: Int64(eventId), seatCount: seatCount, userId: user.id!)
                return pages.redirect("/my/bookings", visitor: visitor)
            } catch {
                return try await eventAgain(eventId, error, request, visitor: visitor, user: user, seatCount: nil, field: "waitlist")
            }
        }
    }

    @Sendable func leave(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await pages.withSignedInForm(request, context) { visitor, user, _ in
            let eventId = try EventController.eventId(context)
            _ = try? await database.leaveWaitlist(eventId: eventId, userId: user.id!)
            mailer.wakeUp.signal()
            return pages.redirect("/my/bookings", visitor: visitor)
        }
    }

    private func holdPage(_ held: HoldDetails, visitor: WebSession.Visitor, status: HTTPResponse.Status = .ok) -> Response {
        let hold: [String: Any] = [
            "eventId": held.hold.eventId, "eventTitle": held.eventTitle, "date": WebPages.date(held.eventDate),
            "seatCount": held.hold.seatCount, "expiresAt": WebPages.timeOfDay(held.hold.expiresAt), "reference": held.hold.holdReference,
        ]
        return pages.page("hold", ["hold": hold], visitor: visitor, status: status)
    }

    /// The event page again, with `error` next to `field` (the seats of the booking form, or the waitlist's).
    private func eventAgain(
        _ eventId: Int, _ error: any Error, _ request: Request, visitor: WebSession.Visitor, user: User, seatCount: String?, field: String
    ) async throws -> Response {
        var problems = try pages.problems(error, request)
        if let message = problems.messages.removeValue(forKey: "form") ?? problems.messages.removeValue(forKey: "seatCount") {
            problems.messages[field] = message
        }
        return await eventAgain(eventId, problems, visitor, user, seatCount)
    }

    /// A hold that could not be confirmed or released: it ended, or is not this visitor's.
    private func ended(_ error: any Error, _ request: Request, visitor: WebSession.Visitor) throws -> Response {
        try pages.failure("The hold has ended", error, request, link: ("/my/bookings", "See my bookings"), visitor: visitor)
    }
}
