import Foundation
import GRDB

extension AppDatabase {
    /// Creates an event owned by `organizerId`, all seats available, version 0.
    public func createEvent(_ newEvent: NewEvent, organizerId: Int64, now: Date = Date()) async throws -> EventDetails {
        try await write { db in
            var event = Event(
                id: nil, title: newEvent.title, description: newEvent.description, totalSeats: newEvent.totalSeats,
                availableSeats: newEvent.totalSeats, status: newEvent.status, eventDate: newEvent.eventDate,
                organizerId: organizerId, version: 0, createdAt: now, updatedAt: now, holdDurationSeconds: newEvent.holdDurationSeconds,
                maxSeatsPerUser: newEvent.maxSeatsPerUser)
            if let cap = event.maxSeatsPerUser, cap > event.totalSeats { throw StorageError.maxSeatsPerUserAboveTotal(totalSeats: event.totalSeats) }
            try event.insert(db)
            try Self.recordSeatChange(
                eventId: event.id!, delta: event.availableSeats, reason: .eventCreated, availableAfter: event.availableSeats, version: 0,
                actorId: organizerId, stamp: DatabaseTimestamp.string(now), db)
            return try Self.fetchEventDetails(id: event.id!, db)!
        }
    }

    /// The event `id` as `viewerId` may see it: another organizer's draft is `notFound`.
    /// Served from `EventCache` when the event was read lately and not written since.
    public func event(id: Int64, viewerId: Int64?) async throws -> EventDetails {
        var details = events.details(id: id)
        if details == nil {
            let generation = events.generation
            details = try await pool.read { db in try Self.fetchEventDetails(id: id, db) }
            if let details { events.store(details, readAt: generation) }
        }
        guard let details, Self.isVisible(details.event, to: viewerId) else { throw StorageError.notFound(.event) }
        return details
    }

    /// A page of events newest first: everything matching `filter` that `viewerId` may see.
    ///
    /// The page is a walk of `events_created_at`; the total of an unfiltered or status-filtered list comes
    /// from `event_counts` plus the viewer's own drafts, so neither grows with the number of events.
    public func events(matching filter: EventFilter, viewerId: Int64?, page: PageRequest) async throws -> Page<EventDetails> {
        var conditions = ["(events.status <> 'DRAFT' OR events.organizer_id IS ?)"]
        var arguments: StatementArguments = [viewerId]
        if let status = filter.status {
            conditions.append("events.status = ?")
            arguments += [status]
        }
        if let organizerId = filter.organizerId {
            conditions.append("events.organizer_id = ?")
            arguments += [organizerId]
        }
        if let from = filter.from {
            conditions.append("events.event_date >= ?")
            arguments += [from]
        }
        if let to = filter.to {
            conditions.append("events.event_date <= ?")
            arguments += [to]
        }
        let whereClause = "WHERE " + conditions.joined(separator: " AND ")
        return try await pool.read { [arguments] db in
            let total = try Self.visibleEventCount(filter, viewerId: viewerId, db)
                ?? Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events \(whereClause)", arguments: arguments) ?? 0
            let items = try db.decodeAll(
                sql: "\(EventDetails.selectSQL) \(whereClause) ORDER BY events.created_at DESC, events.id DESC LIMIT ? OFFSET ?",
                arguments: arguments + [page.limit, page.offset], EventDetails.init(row:))
            return Page(items: items, total: total, request: page)
        }
    }

    /// Published events that have not happened yet, soonest first (undated ones last): the front page.
    public func upcomingEvents(now: Date = Date(), limit: Int = 100) async throws -> [EventDetails] {
        try await pool.read { db in
            try db.decodeAll(
                sql: """
                    \(EventDetails.selectSQL)
                    WHERE events.status = 'PUBLISHED' AND (events.event_date IS NULL OR events.event_date > ?)
                    ORDER BY events.event_date IS NULL, events.event_date, events.id LIMIT ?
                    """,
                arguments: [DatabaseTimestamp.string(now), limit], EventDetails.init(row:))
        }
    }

    /// The number of visible events from the counters, when `filter` filters by status at most; nil otherwise.
    private static func visibleEventCount(_ filter: EventFilter, viewerId: Int64?, _ db: Database) throws -> Int? {
        guard filter.organizerId == nil, filter.from == nil, filter.to == nil else { return nil }
        let ownDrafts = try viewerId.map {
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE organizer_id = ? AND status = 'DRAFT'", arguments: [$0]) ?? 0
        } ?? 0
        switch filter.status {
        case .draft?:
            return ownDrafts
        case let status?:
            return try Int.fetchOne(db, sql: "SELECT count FROM event_counts WHERE status = ?", arguments: [status]) ?? 0
        case nil:
            return ownDrafts + (try Int.fetchOne(db, sql: "SELECT SUM(count) FROM event_counts WHERE status <> 'DRAFT'") ?? 0)
        }
    }

    /// Applies `changes` to an event its organizer owns, version-guarded in the writer's next batch.
    ///
    /// Seat changes keep the taken seats (booked and held): `availableSeats = totalSeats - taken`, and a total
    /// below them is refused; seats added serve the waitlist. `CANCELLED` cancels every confirmed booking in
    /// the same command, with a notice to each booker in the outbox, releases every active hold and ends
    /// the waitlist (`EXPIRED`).
    public func updateEvent(id: Int64, changes: EventChanges, actorId: Int64, now: Date = Date()) async throws -> EventDetails {
        let updated = try await writer.submit { [self] db in
            try withVersionGuard(
                db,
                read: { db in
                    let current = try Self.eventForUpdate(id: id, actorId: actorId, db)
                    return (current: current, updated: try Self.apply(changes, to: current))
                },
                write: { db, snapshot -> EventDetails? in
                    let (current, updated) = snapshot
                    try db.execute(
                        sql: """
                            UPDATE events SET title = ?, description = ?, total_seats = ?, available_seats = ?, status = ?,
                                event_date = ?, hold_duration_seconds = ?, max_seats_per_user = ?, version = version + 1, updated_at = ?
                            WHERE id = ? AND version = ?
                            """,
                        arguments: [
                            updated.title, updated.description, updated.totalSeats, updated.availableSeats, updated.status,
                            updated.eventDate, updated.holdDurationSeconds, updated.maxSeatsPerUser, now, id, current.version,
                        ])
                    guard db.changesCount == 1 else { return nil }
                    let delta = updated.availableSeats - current.availableSeats
                    if delta != 0 {
                        try Self.recordSeatChange(
                            eventId: id, delta: delta, reason: updated.status == .cancelled ? .eventCancelled : .capacityChanged,
                            availableAfter: updated.availableSeats, version: current.version + 1, actorId: actorId,
                            stamp: DatabaseTimestamp.string(now), db)
                    }
                    if updated.status == .cancelled {
                        try db.execute(
                            sql: """
                                INSERT INTO outbox (kind, booking_id, status, attempts, next_attempt_at, created_at)
                                SELECT ?, id, 'PENDING', 0, ?, ? FROM event_bookings WHERE event_id = ? AND status = 'CONFIRMED'
                                """,
                            arguments: [OutboxMailKind.eventCancelled, now, now, id])
                        try db.execute(
                            sql: """
                                UPDATE bookings SET status = 'CANCELLED', updated_at = ?
                                WHERE id IN (SELECT id FROM event_bookings WHERE event_id = ? AND status = 'CONFIRMED')
                                """,
                            arguments: [now, id])
                        // The EVENT_CANCELLED entry above gave every seat back, the held ones included.
                        try db.execute(
                            sql: "UPDATE holds SET status = 'RELEASED', updated_at = ? WHERE event_id = ? AND status = 'ACTIVE'", arguments: [now, id])
                        try db.execute(
                            sql: "UPDATE waitlist_entries SET status = 'EXPIRED', updated_at = ? WHERE event_id = ? AND status IN ('WAITING', 'OFFERED')",
                            arguments: [now, id])
                    } else if updated.status == .completed {
                        // Nothing will serve the line of an event that has taken place.
                        try db.execute(
                            sql: "UPDATE waitlist_entries SET status = 'EXPIRED', updated_at = ? WHERE event_id = ? AND status = 'WAITING'",
                            arguments: [now, id])
                    } else if delta > 0 {
                        try serveWaitlist(eventId: id, now: now, stamp: DatabaseTimestamp.string(now), db)
                    }
                    return try Self.fetchEventDetails(id: id, db)
                }
            ).result
        }
        eventChanged(id)
        return updated
    }

    /// Deletes an event that has never been booked, held or waited for; `eventHasBookings` otherwise. The check
    /// below covers every table that refers to events, so SQLite's own is off (`writeCheckingReferencesItself`).
    public func deleteEvent(id: Int64, actorId: Int64) async throws {
        try await writeCheckingReferencesItself { db in
            guard let event = try Event.fetchOne(db, key: id), Self.isVisible(event, to: actorId) else {
                throw StorageError.notFound(.event)
            }
            guard event.organizerId == actorId else { throw StorageError.forbidden(.event) }
            let used = try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM event_bookings WHERE event_id = ?) OR EXISTS (SELECT 1 FROM holds WHERE event_id = ?)
                        OR EXISTS (SELECT 1 FROM waitlist_entries WHERE event_id = ?)
                    """,
                arguments: [id, id, id]) ?? false
            if used { throw StorageError.eventHasBookings }
            try Event.deleteOne(db, key: id)
        }
        eventChanged(id)
    }

    static func fetchEventDetails(id: Int64, _ db: Database) throws -> EventDetails? {
        try db.decodeOne(sql: "\(EventDetails.selectSQL) WHERE events.id = ?", arguments: [id], EventDetails.init(row:))
    }

    static func isVisible(_ event: Event, to viewerId: Int64?) -> Bool {
        event.status != .draft || event.organizerId == viewerId
    }

    /// The event `actorId` wants to change: 404 when hidden from them, 403 when not theirs, refused when final.
    private static func eventForUpdate(id: Int64, actorId: Int64, _ db: Database) throws -> Event {
        guard let event = try fetchEvent(id: id, db), isVisible(event, to: actorId) else {
            throw StorageError.notFound(.event)
        }
        guard event.organizerId == actorId else { throw StorageError.forbidden(.event) }
        if event.status.isFinal { throw StorageError.eventIsFinal(event.status) }
        return event
    }

    private static func apply(_ changes: EventChanges, to current: Event) throws -> Event {
        var event = current
        if let title = changes.title { event.title = title }
        if let description = changes.description { event.description = description }
        if let eventDate = changes.eventDate { event.eventDate = eventDate }
        if let holdDurationSeconds = changes.holdDurationSeconds { event.holdDurationSeconds = holdDurationSeconds }
        if let maxSeatsPerUser = changes.maxSeatsPerUser { event.maxSeatsPerUser = maxSeatsPerUser }
        if let status = changes.status {
            if status == .draft, current.status != .draft, current.takenSeats > 0 {
                throw StorageError.unpublishWithBookings
            }
            event.status = status
        }
        if let totalSeats = changes.totalSeats {
            guard totalSeats >= current.takenSeats else { throw StorageError.seatsBelowBooked(booked: current.takenSeats) }
            event.totalSeats = totalSeats
        }
        if let cap = event.maxSeatsPerUser, cap > event.totalSeats { throw StorageError.maxSeatsPerUserAboveTotal(totalSeats: event.totalSeats) }
        event.availableSeats = event.status == .cancelled ? event.totalSeats : event.totalSeats - current.takenSeats
        return event
    }
}
