import Hummingbird
import Logging
import Mail
import Storage

/// `/events/:id/waitlist`: wait for seats of a sold-out event, a group as one entry. When seats come back the
/// writer offers them to the entries in order, as holds (see `AppDatabase.serveWaitlist` for the rule).
struct WaitlistController {
    let database: AppDatabase
    let maxSeatsPerEntry: Int
    let mailer: Mailer

    func addRoutes(to router: Router<AppRequestContext>) {
        let events = router.group("events", context: AuthenticatedContext.self)
        events.post(":id/waitlist", use: join)
        events.get(":id/waitlist", use: list)
        events.get(":id/waitlist/me", use: mine)
        events.delete(":id/waitlist/me", use: leave)
    }

    @Sendable func join(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<WaitlistEnvelope> {
        let eventId = try EventController.eventId(context)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let seatCount = fields.integer("seatCount", required: true, range: 1...maxSeatsPerEntry)
        guard let seatCount, fields.isValid else { throw fields.error }
        let entry = try await database.joinWaitlist(eventId: eventId, seatCount: seatCount, userId: context.userId)
        context.logger.info("joined waitlist", metadata: ["event.id": "\(eventId)", "waitlist.reference": "\(entry.waitlistReference)"])
        return EditedResponse(status: .created, response: WaitlistEnvelope(message: "You are on the waitlist", data: WaitlistEntryResponse(entry)))
    }

    @Sendable func mine(_ request: Request, context: AuthenticatedContext) async throws -> WaitlistEntryResponse {
        WaitlistEntryResponse(try await database.waitlistEntry(eventId: try EventController.eventId(context), userId: context.userId))
    }

    @Sendable func leave(_ request: Request, context: AuthenticatedContext) async throws -> WaitlistEnvelope {
        let entry = try await database.leaveWaitlist(eventId: try EventController.eventId(context), userId: context.userId)
        mailer.wakeUp.signal()
        context.logger.info("left waitlist", metadata: ["waitlist.reference": "\(entry.waitlistReference)"])
        return WaitlistEnvelope(message: "You have left the waitlist", data: WaitlistEntryResponse(entry))
    }

    /// The whole line, for the event's organizer.
    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> PageResponse<WaitlistEntryResponse> {
        let eventId = try EventController.eventId(context)
        var query = request.queryFields()
        let page = query.page()
        try query.validate()
        let entries = try await database.waitlist(eventId: eventId, actorId: context.userId, page: page)
        return PageResponse(entries, transform: WaitlistEntryResponse.init)
    }
}
