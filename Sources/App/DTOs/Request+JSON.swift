import Foundation
import Hummingbird
import Storage

extension Request {
    /// The body as a JSON object: 415 unless it is declared JSON, 413 when too large, 400 when malformed.
    func jsonObject(context: some RequestContext) async throws -> [String: JSONValue] {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw AppError(status: .unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", message: "Content-Type must be application/json")
        }
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw AppError(status: .badRequest, code: "INVALID_JSON", message: "Request body is not valid JSON")
        }
        guard case .object(let object) = value else { throw AppError.validation(field: "body", "body must be a JSON object") }
        return object
    }

    /// `?page=&limit=`: page >= 1, 1 <= limit <= 100, defaults 1 and 10; anything else is a 400.
    func pageRequest() throws -> PageRequest {
        let query = uri.queryParameters
        var problems: [FieldProblem] = []
        func read(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let text = query[name[...]] else { return value }
            guard let number = Int(text), range.contains(number) else {
                let upper = range.upperBound == .max ? "" : " and at most \(range.upperBound)"
                problems.append(FieldProblem(field: name, message: "\(name) must be an integer of at least \(range.lowerBound)\(upper)"))
                return value
            }
            return number
        }
        let page = read("page", default: 1, range: 1...Int(Int32.max))
        let limit = read("limit", default: 10, range: 1...100)
        if !problems.isEmpty { throw AppError.validation(problems) }
        return PageRequest(page: page, limit: limit)
    }
}
