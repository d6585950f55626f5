import Foundation
import Mustache
import Testing
@testable import Mail

/// A folder of replacement templates (`MAIL_TEMPLATES_DIR`).
@Suite struct MailTemplatesTests {
    static func folder(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }

    static let content = BookingMailContent(
        firstname: "Ada", eventTitle: "Gala", eventDate: "to be announced", seatCount: 2, bookingReference: "ref-1")

    @Test func aFolderReplacesTheMailsItHasAndTheShippedOnesServeTheRest() async throws {
        let folder = try Self.folder([
            "booking-confirmed.subject.mustache": "{{% CONTENT_TYPE: TEXT}}\nYou're in: {{eventTitle}}",
            "booking-confirmed.text.mustache": "{{% CONTENT_TYPE: TEXT}}\nSee you, {{firstname}}.",
            "booking-confirmed.html.mustache": "<p>See you, {{firstname}}.</p>",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = try await MailTemplates(directory: folder.path)
        let confirmed = templates.bookingConfirmed(Self.content, to: "ada@example.com")
        #expect(confirmed.subject == "You're in: Gala" && confirmed.text == "See you, Ada.\n")
        // A mail the folder does not have (made before holds existed) comes from the shipped templates.
        let hold = HoldMailContent(
            firstname: "Ada", eventTitle: "Gala", eventDate: "to be announced", seatCount: 2, holdReference: "hold-1", expiresAt: "soon")
        #expect(templates.holdOffered(hold, to: "ada@example.com").subject == "Seats are waiting for you: Gala")
    }

    @Test func valuesRenderLikeTextInEveryTemplateFeature() async throws {
        // What a folder's templates may do with a value: escape it in HTML, transform it, test it in a section,
        // and use a number as a number.
        let folder = try Self.folder([
            "booking-confirmed.subject.mustache": "{{% CONTENT_TYPE: TEXT}}\n{{uppercased(eventTitle)}} for {{firstname}}",
            "booking-confirmed.text.mustache": "{{% CONTENT_TYPE: TEXT}}\n{{#firstname}}[{{.}}]{{/firstname}}{{^firstname}}none{{/firstname}} {{plusone(seatCount)}}",
            "booking-confirmed.html.mustache": "<p>{{eventTitle}} {{{eventTitle}}} {{lowercased(bookingReference)}}</p>",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let templates = try await MailTemplates(directory: folder.path)
        #expect(templates.layouts["booking-confirmed.subject"] == nil && templates.layouts["booking-confirmed.html"] == nil)
        var content = Self.content
        content.eventTitle = "Jazz & <Blues>"
        content.bookingReference = "REF-1"
        let mail = templates.bookingConfirmed(content, to: "ada@example.com")
        #expect(mail.subject == "JAZZ & <BLUES> for Ada")
        #expect(mail.text == "[Ada] 3\n")
        #expect(mail.html == "<p>Jazz &amp; &lt;Blues&gt; Jazz & <Blues> ref-1</p>")
    }

    /// Values that test escaping: all five escaped characters, an "&" with a combining mark (one character,
    /// which Mustache leaves), an emoji, a marker's private-use characters, nothing at all.
    static let trickyTexts = ["Jazz & <Blues> \"live\" 'late'", "a&\u{301}b <\u{338} x", "Zoë 🎟️", "\u{E000}0&\u{E001}", ""]

    @Test func theShippedTemplatesRenderAsMustacheRendersThem() async throws {
        let fast = try await MailTemplates()
        let mustache = try await MailTemplates(layouts: false)
        // The confirmation, one per booking, must not need Mustache at render time.
        #expect(Set(fast.layouts.keys).isSuperset(of: ["booking-confirmed.subject", "booking-confirmed.text", "booking-confirmed.html"]))
        #expect(mustache.layouts.isEmpty)
        for text in Self.trickyTexts {
            let booking = BookingMailContent(firstname: text, eventTitle: text, eventDate: text, seatCount: 3, bookingReference: text)
            let hold = HoldMailContent(firstname: text, eventTitle: text, eventDate: text, seatCount: 3, holdReference: text, expiresAt: text)
            #expect(fast.bookingConfirmed(booking, to: "a@example.com") == mustache.bookingConfirmed(booking, to: "a@example.com"))
            for byOrganizer in [false, true] {
                #expect(
                    fast.bookingCancelled(booking, to: "a@example.com", byOrganizer: byOrganizer)
                        == mustache.bookingCancelled(booking, to: "a@example.com", byOrganizer: byOrganizer))
            }
            #expect(fast.holdOffered(hold, to: "a@example.com") == mustache.holdOffered(hold, to: "a@example.com"))
            #expect(fast.holdExpired(hold, to: "a@example.com") == mustache.holdExpired(hold, to: "a@example.com"))
            #expect(fast.oneTimeCode(text, to: "a@example.com", lifetimeMinutes: 15) == mustache.oneTimeCode(text, to: "a@example.com", lifetimeMinutes: 15))
        }
        let html = fast.bookingConfirmed(
            BookingMailContent(firstname: "Ada", eventTitle: "Jazz & <Blues>", eventDate: "x", seatCount: 3, bookingReference: "r"), to: "a@example.com"
        ).html
        #expect(html?.contains("<td>Jazz &amp; &lt;Blues&gt;</td>") == true)
    }

    @Test func aLayoutKeepsMustachesWhitespaceAndEscapingOfEachValue() throws {
        let template = try MustacheTemplate(string: "  {{! a note }}\n<p>{{ a }} {{{a}}} {{&a}}</p>\n{{% CONTENT_TYPE: TEXT}}\n{{a}}{{missing}}!")
        let layout = try #require(MailTemplateLayout.layout(of: template))
        #expect(
            layout.parts == [
                .text("<p>"), .value(name: "a", escaped: true), .text(" "), .value(name: "a", escaped: false), .text(" "),
                .value(name: "a", escaped: false), .text("</p>\n"), .value(name: "a", escaped: false),
                .value(name: "missing", escaped: false), .text("!"),
            ])
        // A value the mail does not provide shows nothing, as in Mustache.
        #expect(layout.render(["a": "<&>"]) == template.render(["a": "<&>"]))
    }

    @Test func templatesThatNeedMustacheGetNoLayout() throws {
        for source in [
            "{{#a}}x{{/a}}", "{{^a}}x{{/a}}", "{{> partial}}", "{{uppercased(a)}}", "{{a.b}}", "{{=<% %>=}}<% a %>", "{{$block}}x{{/block}}",
            "{{<parent}}{{/parent}}", "{{.}}", "\u{E000}{{a}}",
        ] {
            #expect(MailTemplateLayout.layout(of: try MustacheTemplate(string: source)) == nil, "\(source)")
        }
        #expect(MailTemplateLayout.layout(of: try MustacheTemplate(string: "plain text"))?.parts == [.text("plain text")])
    }

    @Test func everyValueAShippedLayoutShowsIsOneItsMailProvides() async throws {
        // A misspelt name (`{{firstName}}`) would render as nothing, in Mustache and in a layout alike.
        let templates = try await MailTemplates()
        let booking = BookingMailContent(firstname: "", eventTitle: "", eventDate: "", seatCount: 1, bookingReference: "")
        let hold = HoldMailContent(firstname: "", eventTitle: "", eventDate: "", seatCount: 1, holdReference: "", expiresAt: "")
        let provided: [String: Set<String>] = [
            "one-time-code": ["code", "lifetimeMinutes"], "booking-confirmed": Set(booking.values.keys),
            "hold-offered": Set(hold.values.keys), "hold-expired": Set(hold.values.keys),
        ]
        for (mail, values) in provided {
            var shown: Set<String> = []
            for part in ["subject", "text", "html"] {
                let layout = try #require(templates.layouts["\(mail).\(part)"], "\(mail).\(part) has a layout")
                for case .value(let name, _) in layout.parts { shown.insert(name) }
            }
            #expect(!shown.isEmpty && shown.isSubset(of: values), "\(mail) shows \(shown)")
        }
    }

    @Test func aSubjectBecomesOneLineWithOrWithoutTheShortcut() {
        // The general rule, which `oneLine` skips for a subject that is one line already.
        func general(_ subject: String) -> String {
            subject.split(whereSeparator: \.isNewline).joined(separator: " ").trimmed(where: \.isWhitespace)
        }
        let subjects = [
            "You're in: Gala", "", " ", "\t", " Gala", "Gala ", "\tGala\t", "Gala\tNight", "Gala\nNight", "Gala\r\nNight\n",
            "Gala\u{0B}Night", "Gala\u{0C}Night", "Gala\u{85}Night", "Gala\u{2028}Night", "Gala\u{A0}", "\u{3000}Gala",
            "Zoë 🎟️", "a&\u{301}b", "Gala\u{7F}", "\nGala\n\n",
        ]
        for subject in subjects {
            #expect(MailTemplates.oneLine(subject) == general(subject), "\(subject.debugDescription)")
        }
        #expect(MailTemplates.oneLine("Gala\nNight") == "Gala Night")
    }

    @Test func halfAReplacementIsRefused() async throws {
        let folder = try Self.folder(["booking-confirmed.subject.mustache": "{{% CONTENT_TYPE: TEXT}}\nYou're in"])
        defer { try? FileManager.default.removeItem(at: folder) }
        await #expect(throws: MailTemplateError.missing("booking-confirmed.text.mustache in \(folder.path)")) {
            _ = try await MailTemplates(directory: folder.path)
        }
    }
}

@Suite struct HumanDateTests {
    /// The same dates as `UTCDateTimeTests`: years 1-9999 in twenty thousand steps, and the edges.
    @Test func humanDateIsWhatItsFormatStyleWrites() {
        let first = -62_135_596_800.0
        let last = 253_402_300_799.999
        let step = ((last - first) / 20_000).rounded(.down) + 0.377
        var dates = stride(from: first, through: last, by: step).map { Date(timeIntervalSince1970: $0) }
        dates += [0, -0.001, 86_399.999, 951_782_400, 1_709_208_000, 1_800_000_000.123, 253_402_300_800].map { Date(timeIntervalSince1970: $0) }
        for date in dates {
            #expect(Mailer.humanDate(date) == date.formatted(Mailer.humanDateStyle), "\(date.timeIntervalSince1970)")
        }
        #expect(Mailer.humanDate(Date(timeIntervalSince1970: 1_811_876_400)) == "Tue, 1 Jun 2027, 19:00 UTC")
        #expect(Mailer.humanDate(nil) == "to be announced")
    }
}
