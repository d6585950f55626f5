import Foundation
import GRDBSQLite
import Testing
@testable import Storage

@Suite struct SQLiteLibraryTests {
    /// In a process of its own (an exit test), where no connection opened before: once `AppDatabase` has
    /// opened and written its database, SQLite has counted none of its allocations.
    @Test func sqliteKeepsNoMemoryStatisticsOnceAnAppDatabaseOpened() async {
        await #expect(processExitsWith: .success) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-library-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = try AppDatabase(path: folder.appendingPathComponent("test.sqlite").path)
            _ = try await database.createUser(
                NewUser(email: "someone@example.com", firstname: "Some", lastname: "One", passwordHash: "x", country: "DE", role: .user))
            // With the statistics on, this is the memory SQLite holds now: its caches, statements and pages.
            let used = sqlite3_memory_used()
            try database.close()
            if used != 0 {
                FileHandle.standardError.write(Data("SQLite counted \(used) bytes\n".utf8))
                exit(1)
            }
        }
    }
}
