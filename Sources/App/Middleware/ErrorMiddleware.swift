import Hummingbird
import Logging

/// Renders every error as the contract's error body, the framework's own included.
///
/// Internal errors are logged with their cause; the client only ever sees "Internal server error".
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let appError = AppError(any: error, request: request)
            let metadata: Logger.Metadata = ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"]
            if appError.status == .internalServerError {
                context.logger.error("request failed", metadata: metadata)
            } else if appError.status.code >= 500 {
                // A 503 (a storage fault, saturated hashing) is a known condition, reported once where it is
                // detected: one line per refused request would bury it.
                context.logger.debug("request refused", metadata: metadata)
            }
            return try appError.response(from: request, context: context)
        }
    }
}
