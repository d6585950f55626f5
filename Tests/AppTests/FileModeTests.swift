import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The real binary, started as an operator would, creates nothing that other users of the machine can read.
@Suite struct FileModeTests {
    /// `event-booking`, built beside this test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("event-booking")

    static func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// A loopback port nothing listens on: the OS picks it, and it is released at once.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        return channel.localAddress?.port ?? 0
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func databaseWALSecretBackupAndMailAreCreatedPrivate() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("file-modes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        let port = try await Self.freePort()
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PORT": "\(port)",
            "DATABASE_PATH": data.appendingPathComponent("event-booking.sqlite").path, "MAIL_TRANSPORT": "file",
            "MAIL_OUTBOX_DIR": data.appendingPathComponent("outbox").path, "PASSWORD_HASH_COST": "8", "LOG_LEVEL": "warning",
        ]
        let server = try Self.run(["serve", "--env-file", root.appendingPathComponent("none.env").path], environment: environment)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            // Wait for the server, then have it write a mail.
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/auth/send-code")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"email": "modes@example.com", "type": "register"}"#))
            var sent = false
            for _ in 0..<100 where !sent {
                if let response = try? await client.execute(request, timeout: .seconds(5)), response.status == .ok {
                    sent = true
                } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(sent, "the server answered send-code")
            let outbox = data.appendingPathComponent("outbox")
            for _ in 0..<100 where ((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            let backup = try Self.run(
                ["backup", data.appendingPathComponent("backups/copy.sqlite").path, "--env-file", root.appendingPathComponent("none.env").path],
                environment: environment)
            backup.waitUntilExit()
            #expect(backup.terminationStatus == 0)

            #expect(try Self.mode(data) == 0o700)
            #expect(try Self.mode(outbox) == 0o700)
            #expect(try Self.mode(data.appendingPathComponent("backups")) == 0o700)
            for file in ["event-booking.sqlite", "event-booking.sqlite-wal", "event-booking.sqlite-shm", "jwt-secret", "backups/copy.sqlite"] {
                #expect(try Self.mode(data.appendingPathComponent(file)) == 0o600, "\(file)")
            }
            let mails = try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".eml") }
            #expect(mails.count == 1)
            for mail in mails { #expect(try Self.mode(outbox.appendingPathComponent(mail)) == 0o600, "\(mail)") }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
