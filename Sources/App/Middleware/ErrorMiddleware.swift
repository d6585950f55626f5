import Hummingbird
import Logging

/// Renders every error as the contract's error body, the framework's own included.
///
/// Server errors are logged with their cause; the client only ever sees "Internal server error".
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let appError = AppError(any: error, request: request)
            if appError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            return try appError.response(from: request, context: context)
        }
    }
}
