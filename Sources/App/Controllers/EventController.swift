import Foundation
import Hummingbird
import Logging
import Mail
import Storage

/// `/events`: the public catalogue and the organizer's own events.
struct EventController {
    let database: AppDatabase
    let mailer: Mailer
    /// `holdDurationSeconds` of an event created without one (`HOLD_DEFAULT_SECONDS`).
    var holdDefaultSeconds = 600
    /// The event's web page, for a browser asking for `text/html`; nil: JSON for everyone.
    var page: (@Sendable (Request, AppRequestContext) async throws -> Response)?

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("events", use: list)
        router.get("events/:id", use: show)
        let organizer = router.group("events", context: AuthenticatedContext.self)
        organizer.post(use: create)
        organizer.put(":id", use: update)
        organizer.delete(":id", use: delete)
        organizer.get("organizer/my-events", use: myEvents)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> PageResponse<EventResponse> {
        var query = request.queryFields()
        let page = query.page()
        var filter = EventFilter()
        filter.status = query.oneOf("status", required: false, EventStatus.self)
        filter.organizerId = query.integer("organizerId", required: false, range: 1...Int.max).map(Int64.init)
        filter.from = query.dateTime("from", required: false, nullable: false) ?? nil
        filter.to = query.dateTime("to", required: false, nullable: false) ?? nil
        try query.validate()
        let events = try await database.events(matching: filter, viewerId: context.user?.id, page: page)
        return PageResponse(events, transform: EventResponse.init)
    }

    /// The event as JSON; a browser (`Accept: text/html`) gets its web page at the same address.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let page, WebPages.wantsHTML(request) { return try await page(request, context) }
        return try EventResponse(try await database.event(id: try Self.eventId(context), viewerId: context.user?.id))
            .response(from: request, context: context)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<EventResponse> {
        try context.requireOrganizer()
        var fields = FieldReader(try await request.jsonObject(context: context))
        let title = fields.string("title", required: true, length: 1...200)
        let description = fields.nullableString("description", length: 0...5000)
        let totalSeats = fields.integer("totalSeats", required: true, range: 1...1_000_000)
        let status = fields.oneOf("status", required: false, EventStatus.self) ?? .draft
        let eventDate = fields.dateTime("eventDate", required: false, nullable: true)
        let holdDuration = fields.integer("holdDurationSeconds", required: false, range: Self.holdDurationRange)
        let maxSeatsPerUser = fields.nullableInteger("maxSeatsPerUser", range: 1...1_000_000) ?? nil
        if status.isFinal { fields.report("status", "status of a new event must be DRAFT or PUBLISHED") }
        if let maxSeatsPerUser, let totalSeats, maxSeatsPerUser > totalSeats {
            fields.report("maxSeatsPerUser", "maxSeatsPerUser must be at most totalSeats (\(totalSeats))")
        }
        guard let title, let totalSeats, fields.isValid else { throw fields.error }

        let newEvent = NewEvent(
            title: title, description: description ?? nil, totalSeats: totalSeats, status: status, eventDate: eventDate ?? nil,
            holdDurationSeconds: holdDuration ?? holdDefaultSeconds, maxSeatsPerUser: maxSeatsPerUser)
        let details = try await database.createEvent(newEvent, organizerId: context.userId)
        context.logger.info("event created", metadata: ["event.id": "\(details.event.id!)"])
        return EditedResponse(status: .created, response: EventResponse(details))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> EventResponse {
        try context.requireOrganizer()
        let id = try Self.eventId(context)
        let body = try await request.jsonObject(context: context)
        var fields = FieldReader(body)
        var changes = EventChanges()
        changes.title = fields.string("title", required: false, length: 1...200)
        changes.description = fields.nullableString("description", length: 0...5000)
        changes.totalSeats = fields.integer("totalSeats", required: false, range: 1...1_000_000)
        changes.status = fields.oneOf("status", required: false, EventStatus.self)
        changes.eventDate = fields.dateTime("eventDate", required: false, nullable: true)
        changes.holdDurationSeconds = fields.integer("holdDurationSeconds", required: false, range: Self.holdDurationRange)
        changes.maxSeatsPerUser = fields.nullableInteger("maxSeatsPerUser", range: 1...1_000_000)
        let known = ["title", "description", "totalSeats", "status", "eventDate", "holdDurationSeconds", "maxSeatsPerUser"]
        if !known.contains(where: fields.has) { fields.report("body", "body must contain at least one of: \(known.joined(separator: ", "))") }
        try fields.validate()

        let details = try await database.updateEvent(id: id, changes: changes, actorId: context.userId)
        mailer.wakeUp.signal()
        context.logger.info("event updated", metadata: ["event.id": "\(id)", "event.version": "\(details.event.version)"])
        return EventResponse(details)
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> EventDeletedResponse {
        try context.requireOrganizer()
        let id = try Self.eventId(context)
        try await database.deleteEvent(id: id, actorId: context.userId)
        context.logger.info("event deleted", metadata: ["event.id": "\(id)"])
        return EventDeletedResponse(eventId: id)
    }

    @Sendable func myEvents(_ request: Request, context: AuthenticatedContext) async throws -> PageResponse<EventResponse> {
        try context.requireOrganizer()
        var query = request.queryFields()
        let page = query.page()
        let filter = EventFilter(status: query.oneOf("status", required: false, EventStatus.self), organizerId: context.userId)
        try query.validate()
        let events = try await database.events(matching: filter, viewerId: context.userId, page: page)
        return PageResponse(events, transform: EventResponse.init)
    }

    /// What `holdDurationSeconds` may be: 5 s to 2 h.
    static let holdDurationRange = 5...7200

    static func eventId(_ context: some RequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self), id > 0 else {
            throw AppError.validation(field: "id", "id must be a positive integer")
        }
        return id
    }
}
