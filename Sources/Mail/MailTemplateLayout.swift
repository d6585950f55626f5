import Mustache

/// A template that holds nothing but text and values (`{{name}}`, `{{{name}}}`, `{{& name}}`, comments and the
/// content-type pragma), kept as the text between its values, so rendering it is a concatenation.
///
/// Mustache finds every value anew: it splits the name on dots, climbs the context stack and makes half a
/// dozen dynamic casts to learn what the value is. For the eleven values of a booking's three templates that
/// was 12 % of the server's CPU in a booking rush (perf); with layouts the rush ran 8 % faster. Mustache
/// still decides the layout: it renders the template once, at start, with a marker in place of each value, so
/// whitespace, standalone lines and content-type pragmas come out exactly as it renders them, and each
/// marker shows whether its value is escaped there. Templates with sections, partials, transforms, dotted
/// names or other delimiters are rendered by Mustache every time (`layout(of:)` is nil for them).
struct MailTemplateLayout: Sendable {
    enum Part: Sendable, Equatable {
        case text(String)
        /// The value of `name`, HTML-escaped as Mustache escapes it, or as it is.
        case value(name: String, escaped: Bool)
    }

    let parts: [Part]
    /// The bytes of the text parts: a render reserves them and its values' at once instead of growing its
    /// string part by part.
    let textLength: Int

    init(parts: [Part]) {
        self.parts = parts
        textLength = parts.reduce(0) { length, part in
            if case .text(let text) = part { length + text.utf8.count } else { length }
        }
    }

    /// The layout of `template`; nil when it needs Mustache at every render.
    static func layout(of template: MustacheTemplate) -> MailTemplateLayout? {
        let source = template.description
        guard let names = valueNames(in: source), !source.unicodeScalars.contains(markerStart) else { return nil }
        // The marker holds an "&", which comes out as "&amp;" where the template escapes the value.
        var markers: [String: Any] = [:]
        for (index, name) in names.enumerated() {
            markers[name] = MailText("\(Character(markerStart))\(index)&\(Character(markerEnd))")
        }
        // Read as Unicode scalars: the text before a marker may end in a character that would take the marker in.
        var parts: [Part] = []
        var rest = Substring(template.render(markers)).unicodeScalars
        while let start = rest.firstIndex(of: markerStart) {
            if start > rest.startIndex { parts.append(.text(String(Substring(rest[..<start])))) }
            let marker = rest[start...].dropFirst()
            guard let end = marker.firstIndex(of: markerEnd) else { return nil }
            let body = String(Substring(marker[..<end]))
            let escaped = body.hasSuffix("&amp;")
            guard escaped || body.hasSuffix("&"), let index = Int(body.dropLast(escaped ? 5 : 1)), names.indices.contains(index) else {
                return nil
            }
            parts.append(.value(name: names[index], escaped: escaped))
            rest = marker[end...].dropFirst()
        }
        if !rest.isEmpty { parts.append(.text(String(Substring(rest)))) }
        return MailTemplateLayout(parts: parts)
    }

    func render(_ values: [String: String]) -> String {
        var output = ""
        // Values escaped for HTML grow; the string grows with them then, rarely.
        output.reserveCapacity(textLength + values.values.reduce(0) { $0 + $1.utf8.count })
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .value(let name, let escaped):
                let value = values[name] ?? ""
                output += escaped ? Self.escapeHTML(value) : value
            }
        }
        return output
    }

    /// What Mustache's HTML content type does to a value: the five characters `<>&"'` replaced, compared as
    /// whole characters (an "&" with a combining mark on it is another character, and stays).
    static func escapeHTML(_ text: String) -> String {
        guard text.utf8.contains(where: Self.isEscaped) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// One of the five bytes `escapeHTML` replaces. A switch, not a `Set<UInt8>`, which hashed every byte of every
    /// value of every mail.
    private static func isEscaped(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        default: false
        }
    }
    // Private-use code points, which no template of the service holds (a template that does is left to Mustache).
    private static let markerStart: Unicode.Scalar = "\u{E000}"
    private static let markerEnd: Unicode.Scalar = "\u{E001}"

    /// The names of the values `source`'s tags show, once each; nil unless every tag is a plain value, a comment
    /// or a pragma.
    static func valueNames(in source: String) -> [String]? {
        var names: [String] = []
        var rest = Substring(source)
        while let open = rest.firstRange(of: "{{") {
            rest = rest[open.upperBound...]
            let triple = rest.hasPrefix("{")
            guard let close = rest.firstRange(of: triple ? "}}}" : "}}") else { return nil }
            var tag = rest[..<close.lowerBound]
            rest = rest[close.upperBound...]
            if triple {
                tag = tag.dropFirst()
            } else if let sigil = tag.first, "!%&".contains(sigil) {
                if sigil != "&" { continue }
                tag = tag.dropFirst()
            }
            let name = String(tag).trimmed(where: \.isWhitespace)
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                return nil
            }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}
