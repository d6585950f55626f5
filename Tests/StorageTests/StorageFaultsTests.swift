import Foundation
import GRDB
import Logging
import Testing
@testable import Storage

/// When a fault starts and ends.
@Suite struct StorageFaultsTests {
    static let full = DatabaseError(resultCode: .SQLITE_FULL)
    static let locked = DatabaseError(resultCode: .SQLITE_BUSY)

    @Test func aFullDiskEndsOnlyOnceTheFileSystemHasRoomAgain() {
        let folder = FileManager.default.temporaryDirectory.path
        let cramped = StorageFaults(folder: folder, minimumFreeBytes: .max, logger: Logger(label: "test"))
        cramped.record(Self.full)
        cramped.recordSuccess()
        #expect(cramped.current == .storageFull, "a small write that fit does not end it while the disk is nearly full")

        let roomy = StorageFaults(folder: folder, minimumFreeBytes: 0, logger: Logger(label: "test"))
        roomy.record(Self.full)
        roomy.recordSuccess()
        #expect(roomy.current == nil)
        #expect(roomy.freeBytes() > 0)
    }

    @Test func anyOtherFaultEndsWithTheNextWriteThatSucceeds() {
        let faults = StorageFaults(folder: "/nonexistent", minimumFreeBytes: .max, logger: Logger(label: "test"))
        faults.record(Self.locked)
        #expect(faults.current == .storageUnavailable(reason: "\(Self.locked.resultCode): \(Self.locked.message ?? "")"))
        faults.record(DatabaseError(resultCode: .SQLITE_CONSTRAINT))
        #expect(faults.current != nil, "a refusal says nothing of the disk")
        faults.recordSuccess()
        #expect(faults.current == nil)
    }

    @Test func duringAFaultOneWriteATryIsAdmittedPerIntervalAndTheOthersAreRefusedAtOnce() async throws {
        let faults = StorageFaults(folder: "/nonexistent", retryInterval: .milliseconds(200), logger: Logger(label: "test"))
        #expect(faults.admitWrite() == nil, "no fault: every write goes")
        #expect(faults.admitWrite() == nil)
        faults.record(Self.locked)
        let fault = try #require(faults.current)
        #expect(faults.admitWrite() == fault, "right after the failure: refused without waiting for the lock")
        try await Task.sleep(for: .milliseconds(250))
        #expect(faults.admitWrite() == nil, "one try per interval finds out whether it cleared")
        #expect(faults.admitWrite() == fault, "and only one")
        faults.recordSuccess()
        #expect(faults.admitWrite() == nil && faults.admitWrite() == nil, "cleared: every write goes again")
    }
}
