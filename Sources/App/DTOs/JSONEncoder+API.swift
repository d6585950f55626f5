import Foundation

extension JSONEncoder {
    /// The encoder of every answer: dates are pre-formatted strings, slashes stay unescaped.
    static func api() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
