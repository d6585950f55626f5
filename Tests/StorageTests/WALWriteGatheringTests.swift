import Foundation
import GRDB
import GRDBSQLite
import TestSupport
import Testing
@testable import Storage

/// The VFS that writes a commit's WAL frames at once (Sources/CSQLiteConfig/WALWriteGathering.c), which
/// `SQLiteLibrary` makes SQLite's default.
@Suite struct WALWriteGatheringTests {
    /// A database in WAL mode with `synchronous` as given, on a connection of its own, in a fresh folder.
    static func walDatabase(in folder: URL, synchronous: String) throws -> DatabaseQueue {
        SQLiteLibrary.configure()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("test.sqlite").path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE pages (id INTEGER PRIMARY KEY, content BLOB NOT NULL)")
        }
        return queue
    }

    /// The write calls this process has made (`syscw` of /proc/self/io); the exit tests that count them run alone.
    static func writeCallsSoFar() throws -> Int {
        let io = try String(contentsOfFile: "/proc/self/io", encoding: .utf8)
        let line = io.split(separator: "\n").first { $0.hasPrefix("syscw:") }!
        return Int(line.split(separator: " ").last!)!
    }

    @Test func everyConnectionOpensThroughIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-gathering-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try Self.walDatabase(in: folder, synchronous: "FULL")
        let name = try database.read { db -> String? in
            var vfs: UnsafeMutablePointer<sqlite3_vfs>?
            guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) == SQLITE_OK else { return nil }
            return vfs.map { String(cString: $0.pointee.zName) }
        }
        #expect(name == "unix-wal-gathering")
    }

    /// With `synchronous = OFF` a commit calls no sync: its frames must still be in the file before another
    /// connection can find them (the last frame's write sends them). Enough pages for SQLite to checkpoint and
    /// start its WAL over, twice.
    @Test func anotherConnectionReadsEveryCommitWithoutASync() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-gathering-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try Self.walDatabase(in: folder, synchronous: "OFF")
        let reader = try DatabaseQueue(path: folder.appendingPathComponent("test.sqlite").path)
        for round in 1...50 {
            try writer.write { db in
                for _ in 0..<50 { try db.execute(sql: "INSERT INTO pages (content) VALUES (randomblob(3000))") }
            }
            let (count, bytes) = try reader.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT count(*), sum(length(content)) FROM pages")!
                return (row[0] as Int, row[1] as Int)
            }
            #expect(count == round * 50 && bytes == round * 50 * 3000, "round \(round)")
        }
        #expect(try reader.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    /// A transaction larger than its connection's page cache spills pages to the WAL before its commit, and when it
    /// changes them again SQLite rewrites their frames and, after the commit's last frame, their checksums. A
    /// process that ends right after the commit (`_exit`, as a crash: nothing is closed or flushed) must leave a
    /// WAL from which the next connection recovers the whole commit; with a rewritten checksum still in a buffer,
    /// recovery would stop at that frame and drop the commit.
    @Test func aCommitWithRewrittenFramesSurvivesTheProcessEndingRightAfterIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-gathering-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path
        await #expect(processExitsWith: .success) { [path = path as String] in
            let database = try WALWriteGatheringTests.walDatabase(in: URL(fileURLWithPath: path), synchronous: "NORMAL")
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA cache_size = 10")
                try db.inTransaction {
                    for _ in 0..<300 { try db.execute(sql: "INSERT INTO pages (content) VALUES (randomblob(3000))") }
                    try db.execute(sql: "UPDATE pages SET content = zeroblob(3000)")
                    return .commit
                }
            }
            _exit(0)
        }
        let reopened = try DatabaseQueue(path: folder.appendingPathComponent("test.sqlite").path)
        let (count, zeroed) = try await reopened.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), count(*) FILTER (WHERE content = zeroblob(3000)) FROM pages")!
            return (row[0] as Int, row[1] as Int)
        }
        #expect(count == 300 && zeroed == 300)
        #expect(try await reopened.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    /// In a process of its own (an exit test), so that nothing else writes meanwhile: a commit of 100 pages, which
    /// SQLite writes as 200 writes to the WAL (a header and a page each), reaches the kernel in a handful of
    /// write calls (`syscw` of /proc/self/io).
    @Test func aCommitOfAHundredPagesTakesAHandfulOfWriteCalls() async {
        await #expect(processExitsWith: .success) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-gathering-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = try WALWriteGatheringTests.walDatabase(in: folder, synchronous: "FULL")
            let before = try WALWriteGatheringTests.writeCallsSoFar()
            try database.write { db in
                for _ in 0..<100 { try db.execute(sql: "INSERT INTO pages (content) VALUES (randomblob(3000))") }
            }
            let calls = try WALWriteGatheringTests.writeCallsSoFar() - before
            try database.close()
            // 100 pages and their headers are about 412 KB: four writes of at most 124 KB.
            if calls > 10 {
                FileHandle.standardError.write(Data("a commit of 100 pages took \(calls) write calls\n".utf8))
                exit(1)
            }
        }
    }

    /// A disk that fills up in the middle of a transaction whose frames spill to the WAL (a 10-page cache) and are
    /// read back (an UPDATE of an earlier row after every `readBackEvery` inserts): the failure lands in a write, or
    /// in the flush that a read of the WAL makes first, whose frames are then gone. Either way the transaction fails
    /// and is rolled back, every earlier commit is intact, and the same connection commits once there is room.
    @Test(.enabled(if: getuid() == 0, "mounts a tmpfs, which needs root"))
    func aDiskThatFillsMidTransactionLosesNoCommitAndTheConnectionWritesOnceThereIsRoom() throws {
        let disk = try SmallDisk(megabytes: 1)
        defer { disk.remove() }
        let database = try Self.walDatabase(in: disk.folder, synchronous: "FULL")
        try database.write { db in
            for _ in 0..<20 { try db.execute(sql: "INSERT INTO pages (content) VALUES (randomblob(3000))") }
        }
        // 400 rows of 3,000 bytes are about 1.6 MB of frames: more than the disk holds.
        func largeTransaction(readBackEvery: Int) throws {
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA cache_size = 10")
                try db.inTransaction {
                    for row in 1...400 {
                        try db.execute(sql: "INSERT INTO pages (content) VALUES (randomblob(3000))")
                        if row % readBackEvery == 0 {
                            try db.execute(sql: "UPDATE pages SET content = randomblob(3000) WHERE id = ?", arguments: [Int.random(in: 1...(20 + row))])
                        }
                    }
                    return .commit
                }
            }
        }
        func stored() throws -> (count: Int, integrity: String?) {
            try database.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM pages")!, try String.fetchOne(db, sql: "PRAGMA integrity_check"))
            }
        }
        for readBackEvery in [1, 2, 5, 1_000] {
            #expect(throws: DatabaseError.self, "an UPDATE after every \(readBackEvery) inserts") { try largeTransaction(readBackEvery: readBackEvery) }
            let after = try stored()
            #expect(after.count == 20 && after.integrity == "ok", "after a failure with an UPDATE every \(readBackEvery) inserts")
        }
        try disk.resize(megabytes: 16)
        try largeTransaction(readBackEvery: 2)
        let recovered = try stored()
        #expect(recovered.count == 420 && recovered.integrity == "ok")
    }

    /// Without SQLITE_IOCAP_POWERSAFE_OVERWRITE on the database file (a URI's `psow=0`) SQLite pads a commit to a sector
    /// with copies of its last frame, splitting the last copy around a sync: the VFS leaves such a WAL as SQLite writes
    /// it, a header and a page a frame. Its first version asked the WAL file, which unix opens without the URI and so
    /// always with the capability, and gathered this WAL too (5 write calls). Through SQLite's C API: GRDB opens no URI.
    @Test func aWALWithoutPowersafeOverwriteIsWrittenAsSQLiteWritesIt() async {
        await #expect(processExitsWith: .success) {
            SQLiteLibrary.configure()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-gathering-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var connection: OpaquePointer?
            let uri = "file:\(folder.appendingPathComponent("test.sqlite").path)?psow=0"
            guard sqlite3_open_v2(uri, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nil) == SQLITE_OK else { exit(2) }
            func run(_ sql: String) {
                guard sqlite3_exec(connection, sql, nil, nil, nil) == SQLITE_OK else {
                    FileHandle.standardError.write(Data("\(sql): \(String(cString: sqlite3_errmsg(connection)))\n".utf8))
                    exit(3)
                }
            }
            run("PRAGMA journal_mode = WAL")
            run("PRAGMA synchronous = FULL")
            run("CREATE TABLE pages (id INTEGER PRIMARY KEY, content BLOB NOT NULL)")
            let before = try WALWriteGatheringTests.writeCallsSoFar()
            run("BEGIN")
            for _ in 0..<100 { run("INSERT INTO pages (content) VALUES (randomblob(3000))") }
            run("COMMIT")
            let calls = try WALWriteGatheringTests.writeCallsSoFar() - before
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(connection, "SELECT count(*) FROM pages", -1, &statement, nil) == SQLITE_OK,
                sqlite3_step(statement) == SQLITE_ROW
            else { exit(4) }
            let count = sqlite3_column_int(statement, 0)
            sqlite3_finalize(statement)
            sqlite3_close(connection)
            // 100 pages and their headers: about 200 writes as SQLite makes them, four when gathered.
            if calls < 150 || count != 100 {
                FileHandle.standardError.write(Data("\(calls) write calls, \(count) rows\n".utf8))
                exit(1)
            }
        }
    }
}
