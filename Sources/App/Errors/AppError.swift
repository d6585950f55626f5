import Foundation
import HTTPTypes
import Hummingbird

/// One invalid field of a request, as the contract's `details` lists it.
struct FieldProblem: Codable, Sendable, Equatable {
    var field: String
    var message: String
}

/// The one error contract of the API: every failure reaches the client as this body.
///
/// `{"statusCode", "error", "message", "code", "details"?, "meta"?}` — the NestJS shape plus a stable code.
struct AppError: Error, HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: [FieldProblem]? = nil
    var meta: JSONValue? = nil
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(
            statusCode: status.code, error: status.reasonPhrase, message: message, code: code, details: details, meta: meta)
        let data = try JSONEncoder.api().encode(body)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private struct Body: Encodable {
        var statusCode: Int
        var error: String
        var message: String
        var code: String
        var details: [FieldProblem]?
        var meta: JSONValue?
    }
}

extension AppError {
    static func validation(_ problems: [FieldProblem]) -> AppError {
        AppError(
            status: .badRequest, code: "VALIDATION_FAILED",
            message: problems.map(\.message).joined(separator: "; "), details: problems)
    }

    static func validation(field: String, _ message: String) -> AppError {
        validation([FieldProblem(field: field, message: message)])
    }

    static func unauthorized(_ message: String = "Authentication required") -> AppError {
        AppError(status: .unauthorized, code: "UNAUTHORIZED", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// 429 from a rate limit, with the seconds until the client may try again.
    static func tooManyRequests(retryAfter seconds: Int) -> AppError {
        AppError(
            status: .tooManyRequests, code: "TOO_MANY_REQUESTS", message: "Too many requests; try again in \(seconds) seconds",
            headers: [.retryAfter: "\(seconds)"])
    }

    static func forbidden(_ message: String) -> AppError {
        AppError(status: .forbidden, code: "FORBIDDEN", message: message)
    }

    static let internalError = AppError(status: .internalServerError, code: "INTERNAL_ERROR", message: "Internal server error")
}
