import Hummingbird
import Storage

/// `GET /health`: 200 while the database answers, 503 otherwise. It also reports the mail outbox, which
/// never fails the check by itself: mail waits in the database until the mail server is back.
struct HealthController {
    let database: AppDatabase

    struct Status: ResponseEncodable {
        struct Outbox: Encodable {
            var pending: Int
            var failed: Int
            /// Seconds the oldest pending mail has waited; null when none waits.
            var oldestPendingAgeSeconds: Int?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(pending, forKey: .pending)
                try container.encode(failed, forKey: .failed)
                try container.encode(oldestPendingAgeSeconds, forKey: .oldestPendingAgeSeconds)
            }

            private enum CodingKeys: String, CodingKey { case pending, failed, oldestPendingAgeSeconds }
        }

        var status: String
        var outbox: Outbox?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health") { _, _ -> EditedResponse<Status> in
            // One read of the database file: it answers only when the database does.
            guard let summary = try? await database.outboxSummary() else {
                return EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable"))
            }
            let outbox = Status.Outbox(
                pending: summary.pending, failed: summary.failed, oldestPendingAgeSeconds: summary.oldestPendingAge.map { Int($0.rounded(.down)) })
            return EditedResponse(status: .ok, response: Status(status: "ok", outbox: outbox))
        }
    }
}
