import Foundation
import Hummingbird
import Logging
import Mail
import Storage

/// `/my/bookings`: the visitor's bookings, newest first, each confirmed one with a "Cancel" button.
struct MyBookingsPagesController {
    let pages: WebPages
    let database: AppDatabase
    let mailer: Mailer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("my/bookings", use: list)
        router.post("my/bookings/:ref/cancel", use: cancel)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard let user = visitor.user else { return pages.logInFirst(request, visitor: visitor) }
        let bookings = try await database.bookings(userId: user.id!, status: nil, page: PageRequest(page: 1, limit: 100)).items
        let rows = bookings.map { details -> [String: Any] in
            [
                "eventId": details.booking.eventId, "eventTitle": details.eventTitle, "date": WebPages.date(details.eventDate),
                "seatCount": details.booking.seatCount, "status": details.booking.status.rawValue,
                "statusClass": details.booking.status.rawValue.lowercased(), "reference": details.booking.bookingReference,
                "cancellable": details.booking.status == .confirmed,
            ]
        }
        let holds = try await database.activeHolds(userId: user.id!).map { held -> [String: Any] in
            [
                "eventId": held.hold.eventId, "eventTitle": held.eventTitle, "seatCount": held.hold.seatCount,
                "expiresAt": WebPages.timeOfDay(held.hold.expiresAt), "reference": held.hold.holdReference,
            ]
        }
        let entries = try await database.openWaitlistEntries(userId: user.id!).map { entry -> [String: Any] in
            [
                "eventId": entry.eventId, "eventTitle": entry.eventTitle, "seatCount": entry.seatCount,
                "place": entry.position.map { "number \($0) in line" } ?? "seats are held for you above",
            ]
        }
        return pages.page(
            "my-bookings",
            [
                "bookings": rows, "hasBookings": !rows.isEmpty, "holds": holds, "hasHolds": !holds.isEmpty, "entries": entries,
                "hasEntries": !entries.isEmpty, "hasHoldsOrEntries": !holds.isEmpty || !entries.isEmpty,
            ], visitor: visitor)
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard try await pages.form(request, context) != nil else { return pages.refusedForm(visitor: visitor) }
        guard let user = visitor.user else { return pages.logInFirst(request, visitor: visitor) }
        guard let reference = context.referenceParameter else { return pages.redirect("/my/bookings", visitor: visitor) }
        do {
            _ = try await database.cancelBooking(reference: reference, userId: user.id!)
            mailer.wakeUp.signal()
            context.logger.info("booking cancelled", metadata: ["booking.reference": "\(reference)", "via": "web"])
            return pages.redirect("/my/bookings", visitor: visitor)
        } catch {
            return try pages.failure(
                "The booking was not cancelled", error, request, link: ("/my/bookings", "Back to my bookings"), visitor: visitor)
        }
    }
}
