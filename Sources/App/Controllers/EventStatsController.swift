import Hummingbird
import Storage

/// `GET /events/:id/stats`: an event's seats (total, booked, held, available, checked in) and its bookings per
/// day, for its organizer.
struct EventStatsController {
    let database: AppDatabase

    struct StatsResponse: ResponseEncodable, Sendable {
        struct Day: Encodable, Sendable {
            var date: String
            var bookings: Int
            var seats: Int
        }

        var eventId: Int64
        var totalSeats: Int
        var bookedSeats: Int
        var heldSeats: Int
        var availableSeats: Int
        var checkedInSeats: Int
        var confirmedBookings: Int
        var bookingsPerDay: [Day]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.group("events", context: AuthenticatedContext.self).get(":id/stats", use: show)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> StatsResponse {
        let stats = try await database.eventStats(eventId: try EventController.eventId(context), actorId: context.userId)
        return StatsResponse(
            eventId: stats.eventId, totalSeats: stats.totalSeats, bookedSeats: stats.bookedSeats, heldSeats: stats.heldSeats,
            availableSeats: stats.availableSeats, checkedInSeats: stats.checkedInSeats, confirmedBookings: stats.confirmedBookings,
            bookingsPerDay: stats.bookingsPerDay.map { StatsResponse.Day(date: $0.date, bookings: $0.bookings, seats: $0.seats) })
    }
}
