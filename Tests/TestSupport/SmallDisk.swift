import Foundation

/// A tmpfs of a few megabytes mounted on a new folder, so that a disk fills up for real (root only: it mounts).
public final class SmallDisk {
    public let folder: URL

    public init(megabytes: Int) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try shell("mount", "-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", folder.path)
    }

    /// Gives the disk room (or takes it away) without touching what is on it.
    public func resize(megabytes: Int) throws {
        try shell("mount", "-o", "remount,size=\(megabytes)m", folder.path)
    }

    /// Unmounts the disk (lazily, should a file still be open) and removes its folder.
    public func remove() {
        try? shell("umount", "-l", folder.path)
        try? FileManager.default.removeItem(at: folder)
    }
}
