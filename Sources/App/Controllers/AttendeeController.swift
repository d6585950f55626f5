import Hummingbird
import Logging
import Storage

/// Who is coming, for the event's organizer: `GET /events/:id/attendees` (pages of JSON, or the whole list as
/// CSV) and `POST /bookings/:ref/check-in` at the door. Anyone else gets 403.
struct AttendeeController {
    let database: AppDatabase

    func addRoutes(to router: Router<AppRequestContext>) {
        router.group("events", context: AuthenticatedContext.self).get(":id/attendees", use: list)
        router.group("bookings", context: AuthenticatedContext.self).post(":ref/check-in", use: checkIn)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let eventId = try EventController.eventId(context)
        var query = request.queryFields()
        let page = query.page()
        let csv = CSVExport.isRequested(request, &query)
        try query.validate()
        let database = self.database
        let actorId = context.userId
        if csv {
            return try await CSVExport.response(fileName: "event-\(eventId)-attendees.csv", header: AttendeeResponse.csvHeader) { afterId, limit in
                let attendees = try await database.attendees(eventId: eventId, actorId: actorId, afterId: afterId, limit: limit)
                return (attendees.map(AttendeeResponse.csvLine), attendees.last?.booking.id)
            }
        }
        let attendees = try await database.attendees(eventId: eventId, actorId: actorId, page: page)
        return try PageResponse(attendees, transform: AttendeeResponse.init).response(from: request, context: context)
    }

    /// Idempotent: checking in again answers the same `checkedInAt`, because scanners retry.
    @Sendable func checkIn(_ request: Request, context: AuthenticatedContext) async throws -> BookingResponse {
        let details = try await database.checkIn(reference: try BookingController.reference(context), actorId: context.userId)
        context.logger.info("checked in", metadata: ["booking.reference": "\(details.booking.bookingReference)"])
        return BookingResponse(details)
    }
}
