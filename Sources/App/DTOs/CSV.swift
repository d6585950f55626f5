import Foundation

/// RFC 4180 CSV (comma-separated, CRLF line ends, quoted where needed), written a line at a time.
///
/// Text that people typed (names, emails) goes through `text`, which defuses formulas: a cell that begins
/// with `=`, `+`, `-` or `@` (or a tab or carriage return, which spreadsheets also skip before one) gets a
/// leading `'`, so a spreadsheet shows it instead of running it. Numbers the service writes itself go
/// through `number`: a negative delta must stay a number.
enum CSV {
    static let contentType = "text/csv; charset=utf-8"

    /// One line of encoded cells.
    static func line(_ cells: [String]) -> String {
        cells.joined(separator: ",") + "\r\n"
    }

    /// A text cell, defused and quoted as needed; nil is an empty cell.
    static func text(_ value: String?) -> String {
        guard var text = value else { return "" }
        if let first = text.unicodeScalars.first, formulaStarters.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ value: some BinaryInteger) -> String {
        String(value)
    }

    private static let formulaStarters: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}
