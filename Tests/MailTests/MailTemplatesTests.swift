import Foundation
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
        var content = Self.content
        content.eventTitle = "Jazz & <Blues>"
        content.bookingReference = "REF-1"
        let mail = templates.bookingConfirmed(content, to: "ada@example.com")
        #expect(mail.subject == "JAZZ & <BLUES> for Ada")
        #expect(mail.text == "[Ada] 3\n")
        #expect(mail.html == "<p>Jazz &amp; &lt;Blues&gt; Jazz & <Blues> ref-1</p>")
    }

    @Test func halfAReplacementIsRefused() async throws {
        let folder = try Self.folder(["booking-confirmed.subject.mustache": "{{% CONTENT_TYPE: TEXT}}\nYou're in"])
        defer { try? FileManager.default.removeItem(at: folder) }
        await #expect(throws: MailTemplateError.missing("booking-confirmed.text.mustache in \(folder.path)")) {
            _ = try await MailTemplates(directory: folder.path)
        }
    }
}
