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
        if let object = buffer.withUnsafeReadableBytes({ StrictJSONParser.object(from: $0) }) {
            return object
        }
        // Everything the strict parser leaves: JSONDecoder accepts or refuses it, as it always has.
        let data = Data(buffer.readableBytesView)
        do {
            // An object, as nearly every body is, without trying the other kinds first.
            return try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch let error as DecodingError where error.isAboutTheWholeBody {
            throw AppError.validation(field: "body", "body must be a JSON object")
        } catch {
            throw AppError(status: .badRequest, code: "INVALID_JSON", message: "Request body is not valid JSON")
        }
    }

    /// The query string, for `FieldReader` (the first value of each parameter).
    func queryFields() -> FieldReader {
        var values: [String: String] = [:]
        for (name, value) in uri.queryParameters where values[String(name)] == nil {
            values[String(name)] = String(value)
        }
        return FieldReader(query: values)
    }
}

extension DecodingError {
    /// The body is JSON but not an object (an array, a string, null): the mismatch is at the top, not in a value.
    fileprivate var isAboutTheWholeBody: Bool {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context): context.codingPath.isEmpty
        default: false
        }
    }
}
