import Foundation
import Testing

@testable import App

/// The strict parser against `JSONDecoder`, which decides every body the parser leaves: wherever the parser
/// returns a value, `JSONDecoder` must return the same one.
@Suite struct StrictJSONParserTests {
    static func strict(_ bytes: [UInt8]) -> [String: JSONValue]? {
        bytes.withUnsafeBytes { StrictJSONParser.object(from: $0) }
    }

    static func decoded(_ bytes: [UInt8]) -> [String: JSONValue]? {
        try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
    }

    /// Bodies of the kinds the API's clients send, each taken by the parser with `JSONDecoder`'s value.
    @Test(arguments: [
        #"{"eventId": 1, "seatCount": 1}"#,
        #"{"eventId":9223372036854775807,"seatCount":-9223372036854775808}"#,
        #"{"email":"ana@example.com","password":"s3cret pass","code":"123456","name":"Zoë Ōtomo 日本 🎟"}"#,
        #" { "title" : "Gala\n\"Night\"\t\\ \/ \b\f\r" , "price" : 10.5 , "currency" : null } "#,
        #"{"description":"caf\u00e9 \u00E9 \ud83c\udf9f \u0000 \u001f \u007f \uffff","ok":true,"no":false}"#,
        #"{"price": 10.25, "a": -0, "b": 0.1, "c": -123.456e-7, "d": 12345678901234567890e-10, "e": 4.9e-324, "f": 25E-1}"#,
        #"{"nested":{"list":[1,"two",[3.5,{"x":null}],[],{}],"empty":{}},"eventDate":"2027-06-01T19:00:00.000Z"}"#,
        "{}",
        "\n\r\t {}\n",
    ])
    func takesTheBodiesClientsSend(_ body: String) {
        let bytes = Array(body.utf8)
        let value = Self.strict(bytes)
        #expect(value != nil)
        #expect(value == Self.decoded(bytes))
    }

    @Test func readsNumbersAsJSONDecoderDoes() throws {
        let value = try #require(Self.strict(Array(#"{"a": 1, "b": -0, "c": 0.5, "d": 25e-1, "e": -9223372036854775808}"#.utf8)))
        #expect(value["a"] == .integer(1))
        #expect(value["b"] == .integer(0))
        #expect(value["c"] == .number(0.5))
        #expect(value["d"] == .number(2.5))
        #expect(value["e"] == .integer(.min))
    }

    /// `JSONDecoder` reads a whole value written with a fraction or an exponent as an integer, exactly from its
    /// digits where a Double would round; the parser leaves all of them to it.
    @Test(arguments: ["1.0", "1e2", "1E+2", "-0.0", "1.5e-400", "1e19", "539259981296914431.0", "-635.2386492647E+16", "1.7976931348623157e308"])
    func leavesWholeNumbersWithAFractionOrExponentToJSONDecoder(_ number: String) throws {
        let body = Array(#"{"n": \#(number)}"#.utf8)
        #expect(Self.strict(body) == nil)
        #expect(Self.decoded(body) != nil)
    }

    /// What the parser does not take, `JSONDecoder` decides: its extensions, its errors, its limits.
    @Test(arguments: [
        "", " ", "{", "}", "[]", "null", "1", #""text""#, "{} {}", "{}x", #"{"a":1,}"#, #"{"a":1 "b":2}"#,
        #"{"a":1,"a":2}"#, "\u{FEFF}{}", #"{'a':1}"#, #"{a:1}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":+1}"#,
        #"{"a":1e}"#, #"{"a":-}"#, #"{"a":1e400}"#, #"{"a":-1e400}"#, #"{"a":9223372036854775808}"#,
        #"{"a":-9223372036854775809}"#, #"{"a":NaN}"#, #"{"a":Infinity}"#, #"{"a":tru}"#, #"{"a":nul}"#,
        #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud800\u0041"}"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#,
        "{\"a\":\"tab\tin\"}", "{\"a\":\"line\nbreak\"}", #"{"a":"open}"#, #"{"a":[1,]}"#, #"{"a":[1 2]}"#,
        String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100),
    ])
    func leavesTheRestToJSONDecoder(_ body: String) {
        #expect(Self.strict(Array(body.utf8)) == nil)
    }

    @Test func leavesInvalidUTF8AndUTF16ToJSONDecoder() {
        #expect(Self.strict([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]) == nil)  // {"a":"\xC3("}
        #expect(Self.strict([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) == nil)  // {"\xFF":1}
        #expect(Self.strict(Array(#"{"a":1}"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }) == nil)
    }

    /// Random documents, written with random spacing and number forms: taken, and equal to `JSONDecoder`'s.
    @Test func agreesWithJSONDecoderOnRandomDocuments() {
        var random = SeededGenerator(seed: 0x5EED_7)
        for _ in 0..<3_000 {
            let body = Array(DocumentWriter.object(depth: 0, &random).utf8)
            let value = Self.strict(body)
            #expect(value != nil, "not taken: \(String(decoding: body, as: UTF8.self))")
            #expect(value == Self.decoded(body), "differs: \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// Bodies with random bytes changed, inserted, removed or cut off: whatever the parser still takes,
    /// `JSONDecoder` takes with the same value.
    @Test func neverTakesWhatJSONDecoderRefusesOrReadsDifferently() {
        var random = SeededGenerator(seed: 0xBAD_B0D1)
        let alphabet = Array(#"{}[]:,"\ u0123456789abcdefABCDEF.eE+-truefalsn/"#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xFF]
        var taken = 0
        for _ in 0..<20_000 {
            var body = Array(DocumentWriter.object(depth: 1, &random).utf8)
            for _ in 0...Int.random(in: 0...2, using: &random) where !body.isEmpty {
                let at = Int.random(in: 0..<body.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: body[at] = alphabet.randomElement(using: &random)!
                case 1: body.insert(alphabet.randomElement(using: &random)!, at: at)
                case 2: body.remove(at: at)
                default: body.removeLast(body.count - at)
                }
            }
            guard let value = Self.strict(body) else { continue }
            taken += 1
            #expect(value == Self.decoded(body), "differs: \(body)")
        }
        // Some mangled bodies are still valid JSON (a digit changed): the comparison above ran.
        #expect(taken > 1_000)
    }
}

/// A random JSON object as text, with what the API's bodies hold: all kinds of value, escapes, non-ASCII text.
private enum DocumentWriter {
    static func object(depth: Int, _ random: inout SeededGenerator) -> String {
        let count = Int.random(in: 0...5, using: &random)
        // Distinct keys: which of two equal keys wins is JSONDecoder's call, not the parser's.
        let keys = Set((0..<count).map { "k\($0)" + (Bool.random(using: &random) ? "é🎟" : "") })
        let members = keys.map { key in space(&random) + quoted(key) + space(&random) + ":" + value(depth: depth + 1, &random) }
        return "{" + members.joined(separator: ",") + space(&random) + "}"
    }

    static func value(depth: Int, _ random: inout SeededGenerator) -> String {
        let kind = depth > 3 ? Int.random(in: 0..<4, using: &random) : Int.random(in: 0..<6, using: &random)
        let text: String
        switch kind {
        case 0: text = number(&random)
        case 1: text = string(&random)
        case 2: text = ["true", "false", "null"].randomElement(using: &random)!
        case 3: text = number(&random)
        case 4: text = "[" + (0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1, &random) }.joined(separator: ",") + space(&random) + "]"
        default: text = object(depth: depth, &random)
        }
        return space(&random) + text + space(&random)
    }

    /// A number the parser takes: a whole one written as one, or one with a fraction or an exponent whose
    /// value is not whole (the others are `JSONDecoder`'s, see the test above).
    static func number(_ random: inout SeededGenerator) -> String {
        let whole = Int64.random(in: .min ... .max, using: &random) >> Int64.random(in: 0...63, using: &random)
        let text: String
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return "\(whole)"
        case 1: text = "\(whole % 100_000)e\(Int.random(in: -30...30, using: &random))"
        case 2: text = "\(Double.random(in: -1e6...1e6, using: &random))"
        case 3: text = "\(Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &random)))"
        case 4: text = "\(whole % 1000).\(UInt32.random(in: 0...UInt32.max, using: &random))E+\(Int.random(in: 0...20, using: &random))"
        default: return ["0", "-0", "0.5", "-0.25", "4.9e-324", "9223372036854775807", "-9223372036854775808"].randomElement(using: &random)!
        }
        let value = Double(text)!
        return value == value.rounded(.towardZero) ? "\(whole)" : text
    }

    static func string(_ random: inout SeededGenerator) -> String {
        let pieces = [
            "a", "Zoë", "日本", "🎟", " ", "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\u00e9", "\\u0000",
            "\\uD83C\\uDF9F", "\\uffff", "\u{7F}", "e\u{301}",
        ]
        return "\"" + (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
    }

    static func quoted(_ text: String) -> String { "\"\(text)\"" }

    static func space(_ random: inout SeededGenerator) -> String {
        ["", "", "", " ", "\n  ", "\t", "\r\n"].randomElement(using: &random)!
    }
}

/// SplitMix64: the same documents on every run, so a failure can be run again.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
