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
        if csv { return try await Self.csv(database, eventId: eventId, actorId: context.userId) }
        let attendees = try await database.attendees(eventId: eventId, actorId: context.userId, page: page)
        return try PageResponse(attendees, transform: AttendeeResponse.init).response(from: request, context: context)
    }

    /// Every attendee of an event `actorId` organizes as a CSV download (also the web page's "Download CSV").
    static func csv(_ database: AppDatabase, eventId: Int64, actorId: Int64) async throws -> Response {
        try await CSVExport.response(fileName: "event-\(eventId)-attendees.csv", header: AttendeeResponse.csvHeader) { afterId, limit in
            let attendees = try await database.attendees(eventId: eventId, actorId: actorId, afterId: afterId, limit: limit)
            return (attendees.map(AttendeeResponse.csvLine), attendees.last?.booking.id)
        }
    }

    /// Idempotent: checking in again answers the same `checkedInAt`, because scanners retry.
    @Sendable func checkIn(_ request: Request, context: AuthenticatedContext) async throws -> BookingResponse {
        let details = try await database.checkIn(reference: try BookingController.reference(context), actorId: context.userId)
        context.logger.info("checked in", metadata: ["booking.reference": "\(details.booking.bookingReference)"])
        return BookingResponse(details)
    }
}
