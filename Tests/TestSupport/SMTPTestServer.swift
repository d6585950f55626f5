import Foundation

/// Debian's aiosmtpd on loopback (`Tests/SMTP/smtp_server.py`): STARTTLS with a test CA, AUTH required.
/// Start, stop and start it again on the same port, and read what it received.
public final class SMTPTestServer: @unchecked Sendable {
    public static let user = "mailer"
    public static let password = "s3cret-Pa55"

    public let folder: URL
    public private(set) var port: Int = 0
    private var process: Process?
    private let lock = NSLock()

    public var caFile: String { folder.appendingPathComponent("certs/ca.pem").path }
    public var maildir: URL { folder.appendingPathComponent("mail") }

    /// Extra server flags: `--implicit-tls`, `--only-login`.
    let flags: [String]

    public init(flags: [String] = []) {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        self.flags = flags
    }

    /// Starts the server (on the port of the previous start, if any) and waits until it accepts mail.
    public func start() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SMTP/smtp_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            script, "--port", "\(port)", "--maildir", maildir.path, "--certdir", folder.appendingPathComponent("certs").path,
            "--user", Self.user, "--password", Self.password,
        ] + flags
        let output = Pipe()
        process.standardOutput = output
        // The server's own log (TLS handshakes the tests make fail on purpose, say) goes to a file, not the test output.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let logHandle = try FileHandle(forWritingTo: log)
        logHandle.seekToEndOfFile()
        process.standardError = logHandle
        try process.run()
        // The first line is "READY <port>".
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            line.append(first)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let ready = Int(text.dropFirst(6)) else {
            process.terminate()
            throw SMTPTestServerError.didNotStart(text)
        }
        lock.withLock {
            self.port = ready
            self.process = process
        }
    }

    /// Stops the server; mail already received stays readable.
    public func stop() {
        let process = lock.withLock { () -> Process? in
            defer { self.process = nil }
            return self.process
        }
        process?.terminate()
        process?.waitUntilExit()
    }

    /// Stops the server and removes its folder.
    public func tearDown() {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The received messages, oldest first, with what the server saw of each session.
    public func received() throws -> [ReceivedMail] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: maildir.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let eml = maildir.appendingPathComponent(name)
            let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: eml.deletingPathExtension().appendingPathExtension("json"))) as? [String: Any] ?? [:]
            return ReceivedMail(
                raw: try String(contentsOf: eml, encoding: .utf8), usedTLS: meta["tls"] as? Bool ?? false, login: meta["login"] as? String,
                recipients: meta["rcpt_tos"] as? [String] ?? [])
        }
    }

    /// Waits up to `timeout` for at least `count` messages.
    public func awaitReceived(count: Int, timeout: Duration = .seconds(15)) async throws -> [ReceivedMail] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let mails = try received()
            if mails.count >= count { return mails }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SMTPTestServerError.timedOut(expected: count, received: try received().count)
    }
}

/// One message as the SMTP server received it.
public struct ReceivedMail: Sendable {
    public var raw: String
    public var usedTLS: Bool
    public var login: String?
    public var recipients: [String]
}

public enum SMTPTestServerError: Error {
    case didNotStart(String)
    case timedOut(expected: Int, received: Int)
}
