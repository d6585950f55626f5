import Hummingbird
import Storage

/// `GET /health`: 200 while the database answers, 503 otherwise.
struct HealthController {
    let database: AppDatabase

    struct Status: ResponseEncodable {
        var status: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health") { _, _ -> EditedResponse<Status> in
            if await database.ping() {
                return EditedResponse(status: .ok, response: Status(status: "ok"))
            }
            return EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable"))
        }
    }
}
