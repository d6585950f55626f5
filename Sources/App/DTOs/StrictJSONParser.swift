/// Reads the JSON of nearly every request body straight into `JSONValue`s: an object in UTF-8 under strict
/// RFC 8259, without Foundation. `JSONDecoder` into `[String: JSONValue]` cost 3-6 µs for a booking's
/// `{"eventId": 1, "seatCount": 1}` (its `Decodable` containers, a `try?` per kind tried); this costs a
/// fraction of one.
///
/// It decides nothing on its own: for any body it does not take as it is (an error of any kind, a byte
/// order mark, UTF-16, a trailing comma, a repeated key, a number that does not fit, nesting past
/// `maxDepth`, a top level that is not an object) it returns nil, and the caller hands the body to
/// `JSONDecoder`, which accepts or refuses it as it always has. Where it does return a value, it is the
/// value `JSONDecoder` returns, number rules included: a number written without a fraction or an exponent is
/// an integer when it fits in Int64, and one written with them a `Double` when its value is not whole (a whole
/// one, `1.0` or `1e2`, `JSONDecoder` reads as an integer by rules of its own, so it decides those). A
/// differential test holds the two equal.
struct StrictJSONParser {
    /// Deeper than any request body; deeper still is left to `JSONDecoder` and its own limit.
    static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0

    /// Why a body went to `JSONDecoder`; nothing reads it.
    struct NotTaken: Error {}

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The object `bytes` hold, or nil when `JSONDecoder` must decide.
    static func object(from bytes: UnsafeRawBufferPointer) -> [String: JSONValue]? {
        var parser = StrictJSONParser(bytes)
        do {
            parser.skipWhitespace()
            guard parser.peek() == UInt8(ascii: "{") else { return nil }
            let object = try parser.object()
            parser.skipWhitespace()
            return parser.index == bytes.count ? object : nil
        } catch {
            return nil
        }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(NotTaken) {
        guard peek() == byte else { throw NotTaken() }
        index += 1
    }

    private mutating func value() throws(NotTaken) -> JSONValue {
        skipWhitespace()
        guard let byte = peek() else { throw NotTaken() }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object())
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw NotTaken()
        }
    }

    private mutating func literal(_ word: StaticString) throws(NotTaken) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw NotTaken() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw NotTaken()
        }
        index += count
    }

    /// Past `opening`, one level deeper.
    private mutating func open(_ opening: UInt8) throws(NotTaken) {
        depth += 1
        guard depth <= Self.maxDepth else { throw NotTaken() }
        try expect(opening)
    }

    /// Past `closing` when it comes next (the object or array ends), back up a level: true. False otherwise.
    private mutating func close(_ closing: UInt8) -> Bool {
        skipWhitespace()
        guard peek() == closing else { return false }
        index += 1
        depth -= 1
        return true
    }

    /// After an element: true past a comma (another element follows), false past `closing`.
    private mutating func anotherElement(before closing: UInt8) throws(NotTaken) -> Bool {
        if close(closing) { return false }
        try expect(UInt8(ascii: ","))
        return true
    }

    private mutating func object() throws(NotTaken) -> [String: JSONValue] {
        try open(UInt8(ascii: "{"))
        var object: [String: JSONValue] = [:]
        if close(UInt8(ascii: "}")) { return object }
        repeat {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            let value = try value()
            // Which of two equal keys wins is `JSONDecoder`'s to say.
            guard object.updateValue(value, forKey: key) == nil else { throw NotTaken() }
        } while try anotherElement(before: UInt8(ascii: "}"))
        return object
    }

    private mutating func array() throws(NotTaken) -> JSONValue {
        try open(UInt8(ascii: "["))
        var elements: [JSONValue] = []
        if close(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            elements.append(try value())
        } while try anotherElement(before: UInt8(ascii: "]"))
        return .array(elements)
    }

    /// A string, its escapes decoded; its bytes must be valid UTF-8 without control characters.
    private mutating func string() throws(NotTaken) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // Most strings have no escape: their bytes are the string's.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                guard let text else { throw NotTaken() }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw NotTaken() }
            index += 1
        }
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw NotTaken() }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            case 0..<0x20:
                throw NotTaken()
            default:
                utf8.append(byte)
            }
        }
        throw NotTaken()
    }

    /// The escape after a backslash, appended as UTF-8. A surrogate must come as a pair.
    private mutating func escape(into utf8: inout [UInt8]) throws(NotTaken) {
        guard let byte = peek() else { throw NotTaken() }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var code = UInt32(try hexQuad())
            if (0xD800...0xDBFF).contains(code) {
                try literal("\\u")
                let low = UInt32(try hexQuad())
                guard (0xDC00...0xDFFF).contains(low) else { throw NotTaken() }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw NotTaken() }
            utf8.append(contentsOf: UTF8.encode(scalar)!)
        default:
            throw NotTaken()
        }
    }

    private mutating func hexQuad() throws(NotTaken) -> UInt16 {
        guard bytes.count - index >= 4 else { throw NotTaken() }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw NotTaken()
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, by `JSONDecoder`'s rules (see the type).
    private mutating func number() throws(NotTaken) -> JSONValue {
        let start = index
        let negative = peek() == UInt8(ascii: "-")
        if negative { index += 1 }
        guard let first = peek(), isDigit(first) else { throw NotTaken() }
        // Whole numbers are accumulated negated, so that Int64.min fits.
        var negated: Int64 = 0
        var overflow = false
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            while let byte = peek(), isDigit(byte) {
                if !overflow {
                    let (times10, o1) = negated.multipliedReportingOverflow(by: 10)
                    let (next, o2) = times10.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                    overflow = o1 || o2
                    negated = next
                }
                index += 1
            }
        }
        var isWhole = true
        if peek() == UInt8(ascii: ".") {
            isWhole = false
            index += 1
            try digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isWhole = false
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
        if isWhole {
            // A whole number past Int64 is `JSONDecoder`'s to read.
            guard !overflow, negative || negated != .min else { throw NotTaken() }
            return .integer(negative ? negated : -negated)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        // A whole value written with a fraction or an exponent (`1.0`, `5e3`) is an integer to `JSONDecoder`,
        // read from the digits exactly where a Double would round (`539259981296914431.0`): its to read.
        guard let double = Double(text), double.isFinite, double != double.rounded(.towardZero) else { throw NotTaken() }
        return .number(double)
    }

    private mutating func digits() throws(NotTaken) {
        guard let first = peek(), isDigit(first) else { throw NotTaken() }
        while let byte = peek(), isDigit(byte) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
