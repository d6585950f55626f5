import Logging
import Auth
import Hummingbird
import Storage

/// Reads `Authorization: Bearer <token>`, verifies it and loads its user into the context.
///
/// It never refuses a request itself: public routes ignore a bad token, protected ones
/// (`AuthenticatedContext`) answer 401 with the reason recorded here. A token whose user no longer
/// exists is refused like a forged one.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: TokenService
    let database: AppDatabase

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        let parts = header.split(separator: " ", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "bearer",
            let claims = try? await tokens.verify(String(parts[1])),
            let userId = claims.userId
        {
            if let user = try await database.user(id: userId) {
                context.user = user
                context.logger[metadataKey: "user.id"] = "\(userId)"
            } else {
                context.authenticationProblem = "Invalid or expired token"
            }
        } else {
            context.authenticationProblem = "Invalid or expired token"
        }
        return try await next(request, context)
    }
}
