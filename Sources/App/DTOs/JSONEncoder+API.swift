import Foundation

extension JSONEncoder {
    /// The encoder of every answer: dates are pre-formatted strings, slashes stay unescaped, keys sorted so the same answer is the same bytes.
    static func api() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }
}
