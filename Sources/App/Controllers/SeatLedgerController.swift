import Hummingbird
import Storage

/// `GET /events/:id/ledger`: every change of an event's available seats, oldest first, for its organizer
/// (pages of JSON, or the whole ledger as CSV).
struct SeatLedgerController {
    let database: AppDatabase

    func addRoutes(to router: Router<AppRequestContext>) {
        router.group("events", context: AuthenticatedContext.self).get(":id/ledger", use: list)
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
            return try await CSVExport.response(fileName: "event-\(eventId)-ledger.csv", header: SeatLedgerEntryResponse.csvHeader) { afterId, limit in
                let entries = try await database.seatLedger(eventId: eventId, actorId: actorId, afterId: afterId, limit: limit)
                return (entries.map(SeatLedgerEntryResponse.csvLine), entries.last?.id)
            }
        }
        let entries = try await database.seatLedger(eventId: eventId, actorId: actorId, page: page)
        return try PageResponse(entries, transform: SeatLedgerEntryResponse.init).response(from: request, context: context)
    }
}
