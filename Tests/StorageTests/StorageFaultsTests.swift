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
}
