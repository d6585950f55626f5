import Hummingbird

/// A CSV download streamed from the database a slice at a time, never built in memory.
enum CSVExport {
    /// Rows read from the database per slice.
    static let sliceSize = 500

    /// What one slice read: its lines, and the id to read the next slice after.
    typealias Slice = (lines: [String], lastId: Int64?)

    /// Whether the caller asked for CSV: `?format=csv`, or `Accept: text/csv` without `?format=json`.
    static func isRequested(_ request: Request, _ query: inout FieldReader) -> Bool {
        switch query.string("format", required: false, length: 1...10) {
        case "csv": return true
        case "json": return false
        case let other?:
            query.report("format", "format must be one of: json, csv (got \(other))")
            return false
        case nil: return request.headers[.accept]?.contains("text/csv") == true
        }
    }

    /// `header`, then the lines of every slice `nextSlice(afterId, limit)` returns, until one comes back short.
    /// The first slice is read before the answer starts, so that a refusal (403, 404) is still a status code.
    static func response(
        fileName: String, header: String, nextSlice: @escaping @Sendable (_ afterId: Int64, _ limit: Int) async throws -> Slice
    ) async throws -> Response {
        let first = try await nextSlice(0, sliceSize)
        let body = ResponseBody { writer in
            var slice = first
            var buffer = ByteBuffer(string: header)
            while true {
                for line in slice.lines { buffer.writeString(line) }
                try await writer.write(buffer)
                buffer.clear()
                guard slice.lines.count == sliceSize, let lastId = slice.lastId else { break }
                slice = try await nextSlice(lastId, sliceSize)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: CSV.contentType, .contentDisposition: "attachment; filename=\"\(fileName)\""],
            body: body)
    }
}
