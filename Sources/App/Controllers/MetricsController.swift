import Crypto
import Foundation
import Hummingbird
import Storage

/// `GET /metrics`: Prometheus' text format. With `METRICS_TOKEN` set, only `Authorization: Bearer <token>`
/// gets it (401 otherwise); unset, only a client on loopback does, and anyone else gets a 404 as if there
/// were no such path. Behind `TRUSTED_PROXY`, the client is the one the proxy names, not the proxy.
struct MetricsController {
    let metrics: ServiceMetrics
    let database: AppDatabase
    let token: String?
    let limits: RateLimits

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("metrics", use: scrape)
    }

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let token {
            let sent = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            // Compared as digests, in constant time, so the answer's timing says nothing of the token.
            guard SHA256.hash(data: Data(sent.utf8)) == SHA256.hash(data: Data(token.utf8)) else {
                throw AppError.unauthorized("A valid METRICS_TOKEN is required")
            }
        } else if !Self.isLoopback(limits.clientAddress(request, peer: context.peerAddress)) {
            throw AppError(status: .notFound, code: "NOT_FOUND", message: "Cannot GET /metrics")
        }
        let body = metrics.exposition(outbox: try await database.outboxSummary())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address.hasPrefix("127.") || address.hasPrefix("::ffff:127.")
    }
}
