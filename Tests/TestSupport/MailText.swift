import Foundation

/// Decodes what the tests need of a delivered .eml: RFC 2047 headers and quoted-printable bodies.
public enum MailText {
    public static func header(_ name: String, in mail: String) -> String? {
        let lines = mail.components(separatedBy: "\r\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("\(name): ") }) else { return nil }
        var value = String(lines[start].dropFirst(name.count + 2))
        for line in lines[(start + 1)...] {
            guard line.hasPrefix(" ") else { break }
            value += line.dropFirst()
        }
        return value.replacing(#/=\?UTF-8\?B\?([^?]*)\?=/#) { match in
            String(decoding: Data(base64Encoded: String(match.1)) ?? Data(), as: UTF8.self)
        }.replacingOccurrences(of: "\r\n", with: "")
    }

    /// The whole message with soft line breaks and =XX escapes undone.
    public static func decodedBody(_ mail: String) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(mail.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "="), index + 2 < utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
