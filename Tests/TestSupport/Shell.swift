import Foundation

/// Runs `command` with `arguments` (found on the PATH) and throws unless it exits 0: `mount`, `umount`,
/// `chattr` for the tests that make a disk full or a file read-only.
public func shell(_ command: String, _ arguments: String...) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ShellCommandFailed(command: [command] + arguments, status: process.terminationStatus) }
}

public struct ShellCommandFailed: Error, CustomStringConvertible {
    public var command: [String]
    public var status: Int32
    public var description: String { "\(command.joined(separator: " ")) exited \(status)" }
}
