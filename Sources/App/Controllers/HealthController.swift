import Hummingbird
import Storage

/// Health for load balancers and benchmarks. `/health/live`: the process runs (no database, so it is the
/// HTTP stack's ceiling). `/health/ready` and `/health`: the database answers one O(1) read; 503 when not.
/// Neither shows anything of the service's activity.
struct HealthController {
    let database: AppDatabase

    struct Status: ResponseEncodable {
        var status: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health/live") { _, _ in Status(status: "ok") }
        router.get("health/ready", use: ready)
        router.get("health", use: ready)
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async -> EditedResponse<Status> {
        await database.isReady()
            ? EditedResponse(status: .ok, response: Status(status: "ok"))
            : EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable"))
    }
}
