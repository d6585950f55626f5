import Foundation
import Testing

/// The real binary, started as an operator would, creates nothing that other users of the machine can read.
@Suite struct FileModeTests {
    static func mode(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func databaseWALSecretBackupAndMailAreCreatedPrivate() async throws {
        // The database's folder does not exist yet: `serve` makes it, and the secret's file beside the database.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-modes-\(UUID().uuidString)")
        let data = folder.appendingPathComponent("data")
        let server = try await LiveServer.unseeded(databasePath: data.appendingPathComponent("event-booking.sqlite").path)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try await server.serve()
            // Have it write a mail.
            let sent = try await server.request(.POST, "/auth/send-code", json: #"{"email": "modes@example.com", "type": "register"}"#)
            #expect(sent.status == 200, "send-code: \(sent.body)")
            let outbox = server.folder.appendingPathComponent("outbox")
            for _ in 0..<100 where ((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            let backup = try server.run(["backup", data.appendingPathComponent("backups/copy.sqlite").path])
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
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}
