import Foundation
import Mustache

/// The mails the service sends, rendered from Mustache templates kept as files: for each mail
/// `<name>.subject`, `<name>.text` and `<name>.html`. HTML templates escape every value; text and subject
/// templates declare `{{% CONTENT_TYPE: TEXT}}` and leave values as they are.
public struct MailTemplates: Sendable {
    /// The templates shipped with the service.
    public static var bundledDirectory: String { Bundle.module.bundleURL.appendingPathComponent("Templates").path }

    /// Each mail's library: the given folder's when it has the mail, the shipped one otherwise.
    let libraries: [String: MustacheLibrary]
    /// The layouts of the templates that hold nothing but values, by template name ("booking-confirmed.html"),
    /// rendered without Mustache's lookups; the others are not here.
    let layouts: [String: MailTemplateLayout]

    /// Every mail the service sends.
    static let mails = ["one-time-code", "booking-confirmed", "booking-cancelled", "hold-offered", "hold-expired"]

    /// Loads every `.mustache` file under `directory`. A mail the folder does not have at all comes from the
    /// shipped templates, so that a folder made before a mail existed keeps working; a mail it has only some
    /// parts of is an error, since half of a replacement is a mistake.
    /// `layouts: false` renders every template with Mustache (for tests that compare the two).
    public init(directory: String = Self.bundledDirectory, layouts: Bool = true) async throws {
        let library = try await MustacheLibrary(directory: directory)
        let bundled = directory == Self.bundledDirectory ? library : try await MustacheLibrary(directory: Self.bundledDirectory)
        var libraries: [String: MustacheLibrary] = [:]
        var templateLayouts: [String: MailTemplateLayout] = [:]
        for name in Self.mails {
            let parts = ["subject", "text", "html"].map { "\(name).\($0)" }
            let missing = parts.filter { library.getTemplate(named: $0) == nil }
            if missing.isEmpty {
                libraries[name] = library
            } else if missing.count == parts.count, parts.allSatisfy({ bundled.getTemplate(named: $0) != nil }) {
                libraries[name] = bundled
            } else {
                throw MailTemplateError.missing("\(missing[0]).mustache in \(directory)")
            }
            if layouts {
                for part in parts { templateLayouts[part] = libraries[name]!.getTemplate(named: part).flatMap(MailTemplateLayout.layout(of:)) }
            }
        }
        self.libraries = libraries
        self.layouts = templateLayouts
    }

    /// The registration code mail.
    public func oneTimeCode(_ code: String, to email: String, lifetimeMinutes: Int) -> MailMessage {
        render("one-time-code", to: email, ["code": MailText(code), "lifetimeMinutes": lifetimeMinutes])
    }

    /// The confirmation of a new booking.
    public func bookingConfirmed(_ booking: BookingMailContent, to email: String) -> MailMessage {
        render("booking-confirmed", to: email, booking.values)
    }

    /// The notice of a cancelled booking, by its booker or because the organizer cancelled the event.
    public func bookingCancelled(_ booking: BookingMailContent, to email: String, byOrganizer: Bool) -> MailMessage {
        var values = booking.values
        values["byOrganizer"] = byOrganizer
        return render("booking-cancelled", to: email, values)
    }

    /// A waitlist entry's offer: seats held for the person until `expiresAt`.
    public func holdOffered(_ hold: HoldMailContent, to email: String) -> MailMessage {
        render("hold-offered", to: email, hold.values)
    }

    /// A hold that lapsed unconfirmed.
    public func holdExpired(_ hold: HoldMailContent, to email: String) -> MailMessage {
        render("hold-expired", to: email, hold.values)
    }

    private func render(_ name: String, to email: String, _ values: [String: Any]) -> MailMessage {
        let library = libraries[name]!
        // What a value looks like in a template, for the layouts; Mustache shows a number or a flag the same way.
        let texts = values.mapValues { ($0 as? MailText)?.renderText ?? String(describing: $0) }
        func render(_ part: String) -> String? {
            let template = "\(name).\(part)"
            return layouts[template]?.render(texts) ?? library.render(values, withTemplate: template)
        }
        let subject = Self.oneLine(render("subject") ?? "")
        return MailMessage(
            to: email, subject: subject, text: (render("text") ?? "").trimmed(where: \.isNewline) + "\n", html: render("html"))
    }
}

extension MailTemplates {
    /// A subject as one line: its lines joined with spaces, without the whitespace around it. A subject of
    /// printable ASCII and tabs with neither at its ends, as nearly every one is, is that already and is
    /// returned as it is, without the split by characters.
    static func oneLine(_ subject: String) -> String {
        let bytes = subject.utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let isOneLine =
            bytes.allSatisfy { (0x20..<0x7F).contains($0) || $0 == UInt8(ascii: "\t") }
            && !(bytes.first.map(isBlank) ?? false) && !(bytes.last.map(isBlank) ?? false)
        if isOneLine { return subject }
        return subject.split(whereSeparator: \.isNewline).joined(separator: " ").trimmed(where: \.isWhitespace)
    }
}

extension String {
    /// Without the leading and trailing characters that match; Foundation's `trimmingCharacters(in:)` goes
    /// through NSString and cost a quarter of a mail's rendering.
    func trimmed(where matches: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !matches($0) }), let last = lastIndex(where: { !matches($0) }) else { return "" }
        return String(self[first...last])
    }
}

/// A text value of a mail as Mustache renders it: the same output as the String (escaped in the HTML part,
/// and transforms such as `uppercased(eventTitle)` still work), but Mustache knows it for a value with one
/// cast, where a String goes through the casts for templates, lambdas and optionals and `String(describing:)`
/// first. Three templates of about five values each are rendered for every booking.
struct MailText: MustacheCustomRenderable, MustacheTransformable {
    let renderText: String
    var isNull: Bool { false }

    init(_ text: String) {
        renderText = text
    }

    func transform(_ name: String) -> Any? {
        renderText.transform(name)
    }
}

/// What a booking mail says about the booking.
public struct BookingMailContent: Sendable {
    public var firstname: String
    public var eventTitle: String
    /// Already formatted for people, e.g. "Tue, 1 Jun 2027 19:00 UTC"; "to be announced" when unset.
    public var eventDate: String
    public var seatCount: Int
    public var bookingReference: String

    public init(firstname: String, eventTitle: String, eventDate: String, seatCount: Int, bookingReference: String) {
        self.firstname = firstname
        self.eventTitle = eventTitle
        self.eventDate = eventDate
        self.seatCount = seatCount
        self.bookingReference = bookingReference
    }

    var values: [String: Any] {
        [
            "firstname": MailText(firstname), "eventTitle": MailText(eventTitle), "eventDate": MailText(eventDate), "seatCount": seatCount,
            "bookingReference": MailText(bookingReference),
        ]
    }
}

/// What a hold mail says about the hold.
public struct HoldMailContent: Sendable {
    public var firstname: String
    public var eventTitle: String
    /// Formatted for people, like `BookingMailContent.eventDate`.
    public var eventDate: String
    public var seatCount: Int
    public var holdReference: String
    /// Formatted for people.
    public var expiresAt: String

    public init(firstname: String, eventTitle: String, eventDate: String, seatCount: Int, holdReference: String, expiresAt: String) {
        self.firstname = firstname
        self.eventTitle = eventTitle
        self.eventDate = eventDate
        self.seatCount = seatCount
        self.holdReference = holdReference
        self.expiresAt = expiresAt
    }

    var values: [String: Any] {
        [
            "firstname": MailText(firstname), "eventTitle": MailText(eventTitle), "eventDate": MailText(eventDate), "seatCount": seatCount,
            "holdReference": MailText(holdReference), "expiresAt": MailText(expiresAt),
        ]
    }
}

/// A template folder that lacks one of the mails' templates.
public enum MailTemplateError: Error, Equatable {
    case missing(String)
}
