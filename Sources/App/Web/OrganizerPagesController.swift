import Foundation
import Hummingbird
import Logging
import Mail
import Storage

/// `/organizer/events` for organizers: their events in every status, a "New event" form, "Publish" and
/// "Cancel event", editing, and each event's attendees with "Check in" and "Download CSV".
struct OrganizerPagesController {
    let pages: WebPages
    let database: AppDatabase
    let mailer: Mailer
    var holdDefaultSeconds = 600

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("organizer/events", use: list)
        router.post("organizer/events", use: create)
        router.post("organizer/events/:id/publish", use: publish)
        router.post("organizer/events/:id/cancel", use: cancel)
        router.get("organizer/events/:id/edit", use: editForm)
        router.post("organizer/events/:id/edit", use: edit)
        router.get("organizer/events/:id/attendees", use: attendees)
        router.get("organizer/events/:id/attendees.csv", use: attendeesCSV)
        router.post("organizer/events/:id/attendees/:ref/check-in", use: checkIn)
    }

    /// `page` for an organizer; anyone else is sent to log in, or told the page is for organizers.
    private func asOrganizer(
        _ request: Request, _ context: AppRequestContext, _ page: (WebSession.Visitor, User) async throws -> Response
    ) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard let user = visitor.user else { return pages.logInFirst(request, visitor: visitor) }
        guard user.role == .organizer else { return pages.organizersOnly(visitor: visitor) }
        return try await page(visitor, user)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in try await listPage(visitor: visitor, user: user, form: [:], errors: [:]) }
    }

    private func listPage(
        visitor: WebSession.Visitor, user: User, form: [String: String], errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let events = try await database.events(
            matching: EventFilter(organizerId: user.id!), viewerId: user.id!, page: PageRequest(page: 1, limit: 100)
        ).items.map { details -> [String: Any] in
            let event = details.event
            return [
                "id": event.id!, "title": event.title, "date": WebPages.date(event.eventDate), "status": event.status.rawValue,
                "statusClass": event.status.rawValue.lowercased(), "available": event.availableSeats, "total": event.totalSeats,
                "draft": event.status == .draft, "published": event.status == .published, "editable": !event.status.isFinal,
            ]
        }
        var formValues: [String: Any] = form
        formValues["action"] = "/organizer/events"
        formValues["button"] = "Create event"
        return pages.page(
            "organizer-events", ["events": events, "hasEvents": !events.isEmpty, "form": formValues, "errors": errors], visitor: visitor,
            status: status)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in
            guard let form = try await pages.form(request, context) else { return pages.refusedForm(visitor: visitor) }
            var fields = FieldReader(query: Self.withUTCDate(form))
            let title = fields.string("title", required: true, length: 1...200)
            let description = fields.string("description", required: false, length: 0...5000)
            let totalSeats = fields.integer("totalSeats", required: true, range: 1...1_000_000)
            let eventDate = form["eventDate"]?.isEmpty == false ? fields.dateTime("eventDate", required: false, nullable: false) ?? nil : nil
            do {
                guard let title, let totalSeats, fields.isValid else { throw fields.error }
                let newEvent = NewEvent(
                    title: title, description: description?.isEmpty == false ? description : nil, totalSeats: totalSeats, status: .draft,
                    eventDate: eventDate, holdDurationSeconds: holdDefaultSeconds)
                let created = try await database.createEvent(newEvent, organizerId: user.id!)
                context.logger.info("event created", metadata: ["event.id": "\(created.event.id!)", "via": "web"])
                return pages.redirect("/organizer/events", visitor: visitor)
            } catch {
                let problems = try pages.problems(error, request)
                return try await listPage(visitor: visitor, user: user, form: form, errors: problems.messages, status: problems.status)
            }
        }
    }

    @Sendable func publish(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, EventChanges(status: .published))
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, EventChanges(status: .cancelled))
    }

    private func change(_ request: Request, _ context: AppRequestContext, _ changes: EventChanges) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in
            guard try await pages.form(request, context) != nil else { return pages.refusedForm(visitor: visitor) }
            let id = try EventController.eventId(context)
            do {
                _ = try await database.updateEvent(id: id, changes: changes, actorId: user.id!)
                mailer.wakeUp.signal()
                return pages.redirect("/organizer/events", visitor: visitor)
            } catch {
                let problems = try pages.problems(error, request)
                return try await listPage(visitor: visitor, user: user, form: [:], errors: problems.messages, status: problems.status)
            }
        }
    }

    @Sendable func editForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in
            let id = try EventController.eventId(context)
            guard let details = try? await database.event(id: id, viewerId: user.id!), details.event.organizerId == user.id else {
                return pages.message("Event not found", "You have no such event.", link: ("/organizer/events", "Back to my events"), visitor: visitor, status: .notFound)
            }
            let event = details.event
            return editPage(
                id: id,
                form: [
                    "title": event.title, "description": event.description ?? "", "totalSeats": "\(event.totalSeats)",
                    "eventDate": event.eventDate.map(Self.localInput) ?? "",
                ], errors: [:], visitor: visitor)
        }
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in
            guard let form = try await pages.form(request, context) else { return pages.refusedForm(visitor: visitor) }
            let id = try EventController.eventId(context)
            var fields = FieldReader(query: Self.withUTCDate(form))
            var changes = EventChanges()
            changes.title = fields.string("title", required: true, length: 1...200)
            let description = fields.string("description", required: false, length: 0...5000)
            changes.description = .some(description?.isEmpty == false ? description : nil)
            changes.totalSeats = fields.integer("totalSeats", required: true, range: 1...1_000_000)
            changes.eventDate = form["eventDate"]?.isEmpty == false ? fields.dateTime("eventDate", required: false, nullable: false) : .some(nil)
            do {
                try fields.validate()
                _ = try await database.updateEvent(id: id, changes: changes, actorId: user.id!)
                return pages.redirect("/organizer/events", visitor: visitor)
            } catch {
                let problems = try pages.problems(error, request, fields: ["SEATS_BELOW_BOOKED": "totalSeats"])
                return editPage(id: id, form: form, errors: problems.messages, visitor: visitor, status: problems.status)
            }
        }
    }

    private func editPage(
        id: Int64, form: [String: String], errors: [String: String], visitor: WebSession.Visitor, status: HTTPResponse.Status = .ok
    ) -> Response {
        var values: [String: Any] = form
        values["action"] = "/organizer/events/\(id)/edit"
        values["button"] = "Save"
        return pages.page("edit-event", ["form": values, "errors": errors], visitor: visitor, status: status)
    }

    @Sendable func attendees(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in
            let id = try EventController.eventId(context)
            do {
                let page = try await database.attendees(eventId: id, actorId: user.id!, page: PageRequest(page: 1, limit: 100))
                let details = try await database.event(id: id, viewerId: user.id!)
                let rows = page.items.map { attendee -> [String: Any] in
                    var row: [String: Any] = [
                        "eventId": id, "name": "\(attendee.firstname) \(attendee.lastname)", "email": attendee.email,
                        "seatCount": attendee.booking.seatCount, "reference": attendee.booking.bookingReference,
                    ]
                    if let checkedIn = attendee.booking.checkedInAt { row["checkedInAt"] = WebPages.date(checkedIn) }
                    return row
                }
                let event: [String: Any] = ["id": id, "title": details.event.title, "date": WebPages.date(details.event.eventDate)]
                return pages.page("attendees", ["event": event, "attendees": rows, "hasAttendees": !rows.isEmpty, "count": page.total], visitor: visitor)
            } catch let error as StorageError {
                return try pages.failure("No attendees to show", error, request, link: ("/organizer/events", "Back to my events"), visitor: visitor)
            }
        }
    }

    @Sendable func attendeesCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in
            do {
                return try await AttendeeController.csv(database, eventId: try EventController.eventId(context), actorId: user.id!)
            } catch let error as StorageError {
                // The first slice is read before the answer starts: a refusal is still a page.
                return try pages.failure("No attendees to show", error, request, link: ("/organizer/events", "Back to my events"), visitor: visitor)
            }
        }
    }

    @Sendable func checkIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await asOrganizer(request, context) { visitor, user in
            guard try await pages.form(request, context) != nil else { return pages.refusedForm(visitor: visitor) }
            let id = try EventController.eventId(context)
            do {
                guard let reference = context.referenceParameter else { throw StorageError.notFound(.booking) }
                _ = try await database.checkIn(reference: reference, actorId: user.id!)
                return pages.redirect("/organizer/events/\(id)/attendees", visitor: visitor)
            } catch {
                return try pages.failure(
                    "Not checked in", error, request, link: ("/organizer/events/\(id)/attendees", "Back to the attendees"), visitor: visitor)
            }
        }
    }

    /// A `datetime-local` value ("2027-06-01T19:00", no zone) read as UTC, as the form's hint says.
    static func withUTCDate(_ form: [String: String]) -> [String: String] {
        var form = form
        if let date = form["eventDate"], date.count == 16, !date.hasSuffix("Z") { form["eventDate"] = date + ":00Z" }
        return form
    }

    /// A date as a `datetime-local` input shows it, in UTC.
    static func localInput(_ date: Date) -> String {
        String(Timestamp.string(date).prefix(16))
    }
}
