import Foundation
import Hummingbird
import Logging
import Mail
import Storage

/// The pages anyone sees: `/` (published events, soonest first) and `/events/:id` (an event, its live seat
/// count, and the booking form), and the booking form's `POST /my/bookings`.
struct PublicPagesController {
    let pages: WebPages
    let database: AppDatabase
    let maxSeatsPerBooking: Int
    let mailer: Mailer
    var limits = RateLimits()

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/", use: home)
        router.post("my/bookings", use: book)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        let events = try await database.upcomingEvents().map { details -> [String: Any] in
            let event = details.event
            return [
                "id": event.id!, "title": event.title, "date": WebPages.date(event.eventDate),
                "seatsText": WebPages.seatsText(event.availableSeats), "soldOut": event.availableSeats == 0,
            ]
        }
        return pages.page("home", ["events": events], visitor: visitor)
    }

    /// `GET /events/:id` for a browser (`EventController` answers everyone else with JSON).
    @Sendable func event(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        let id = try EventController.eventId(context)
        do {
            let details = try await database.event(id: id, viewerId: visitor.user?.id)
            return eventPage(details, visitor: visitor)
        } catch StorageError.notFound {
            return pages.message("Event not found", "There is no such event, or it is not published.", link: ("/", "See all events"), visitor: visitor, status: .notFound)
        }
    }

    @Sendable func book(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await pages.withSignedInForm(request, context) { visitor, user, form in
            var fields = FieldReader(query: form)
            let (eventId, seatCount) = fields.seatRequest(maxSeats: maxSeatsPerBooking)
            guard let eventId else { return pages.redirect("/", visitor: visitor) }
            do {
                try limits.countBooking(userId: user.id!)
                guard let seatCount, fields.isValid else { throw fields.error }
                let outcome = try await database.createBooking(eventId: Int64(eventId), seatCount: seatCount, userId: user.id!)
                guard case .created(let booked, _) = outcome else { return pages.redirect("/my/bookings", visitor: visitor) }
                mailer.wakeUp.signal()
                context.logger.info("booking confirmed", metadata: ["booking.reference": "\(booked.booking.bookingReference)", "via": "web"])
                return pages.booked(booked, visitor: visitor)
            } catch {
                let problems = try pages.problems(error, request, fields: ["SEATS_UNAVAILABLE": "seatCount", "USER_SEAT_LIMIT": "seatCount"])
                return await eventAgain(eventId, problems, visitor: visitor, user: user, seatCount: form["seatCount"])
            }
        }
    }

    /// The event page again after a failed booking, hold or waitlist form: `seatCount` as it was sent and the
    /// problems next to their fields; a page that says so when the event is gone.
    func eventAgain(_ eventId: Int, _ problems: WebPages.Problems, visitor: WebSession.Visitor, user: User, seatCount: String?) async -> Response {
        guard let details = try? await database.event(id: Int64(eventId), viewerId: user.id) else {
            return pages.message("Event not found", "There is no such event.", link: ("/", "See all events"), visitor: visitor, status: .notFound)
        }
        return eventPage(details, visitor: visitor, seatCount: seatCount, errors: problems.messages, status: problems.status)
    }

    /// The event page; with a failed form's `seatCount` and `errors` when it is shown again.
    func eventPage(
        _ details: EventDetails, visitor: WebSession.Visitor, seatCount: String? = nil, errors: [String: String] = [:],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let event = details.event
        let future = event.eventDate.map { $0 > Date() } ?? true
        var values: [String: Any] = [
            "id": event.id!, "title": event.title, "date": WebPages.date(event.eventDate),
            "seatsText": WebPages.seatsText(event.availableSeats), "bookable": event.status == .published && future,
            "holdMinutes": Self.duration(event.holdDurationSeconds),
        ]
        if let description = event.description, !description.isEmpty { values["description"] = description }
        values["notBookableReason"] = switch event.status {
        case .cancelled: "This event was cancelled."
        case .draft: "This event is not published yet."
        default: "This event has taken place."
        }
        return pages.page(
            "event",
            [
                "event": values, "seatCount": seatCount ?? "1", "maxSeats": maxSeatsPerBooking, "errors": errors,
                // A group may want more than is left: the waitlist shows once fewer seats remain than one booking may take.
                "waitlistOpen": event.availableSeats < maxSeatsPerBooking, "waitSeats": seatCount ?? "1",
            ],
            visitor: visitor, status: status)
    }

    /// "10 minutes", "1 minute", "45 seconds".
    static func duration(_ seconds: Int) -> String {
        if seconds % 60 == 0 { return "\(seconds / 60) minute\(seconds == 60 ? "" : "s")" }
        return "\(seconds) seconds"
    }
}
