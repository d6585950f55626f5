import Foundation

/// Writes each mail as one `.eml` file into an outbox folder (demos and tests read codes from there).
public struct FileMailTransport: MailTransport {
    public let directory: URL
    let from: String

    public init(directory: URL, from: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.from = from
    }

    public func send(_ message: MailMessage) async throws {
        let now = Date()
        let id = UUID().uuidString.lowercased()
        let name = "\(Int64(now.timeIntervalSince1970 * 1_000_000))-\(id).eml"
        let text = message.rendered(from: from, date: now, messageID: "\(id)@event-booking")
        // Write to a temporary name, then rename: a reader never sees half a mail.
        let temporary = directory.appendingPathComponent(".\(name).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
            try FileManager.default.moveItem(at: temporary, to: directory.appendingPathComponent(name))
        } catch {
            throw MailDeliveryError.temporary("could not write \(name): \(error)")
        }
    }
}
