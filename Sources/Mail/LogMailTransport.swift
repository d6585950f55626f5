import Logging

/// Development transport: writes each mail, code included, to the log instead of sending it.
public struct LogMailTransport: MailTransport {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws {
        logger.notice(
            "mail (log transport, not delivered)\n\(message.text)",
            metadata: ["mail.to": "\(message.to)", "mail.subject": "\(message.subject)"])
    }
}
