import Foundation
import GRDB

/// A mail to write to the outbox in the transaction of what caused it. `payload` is opaque to Storage
/// (Auth seals the rendered message in it).
public struct OutboxMail: Sendable, Equatable {
    public var kind: String
    public var recipient: String
    public var payload: [UInt8]

    public init(kind: String, recipient: String, payload: [UInt8]) {
        self.kind = kind
        self.recipient = recipient
        self.payload = payload
    }
}

/// Where an outbox message stands: waiting (maybe after failed tries), delivered, or given up.
public enum OutboxStatus: String, Codable, Sendable, DatabaseValueConvertible {
    case pending = "PENDING"
    case sent = "SENT"
    case failed = "FAILED"
}

/// A row of `outbox`.
public struct OutboxMessage: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "outbox"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var kind: String
    public var recipient: String
    public var payload: Data
    public var status: OutboxStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The outbox at a glance, for `/health`.
public struct OutboxSummary: Sendable, Equatable {
    public var pending: Int
    public var failed: Int
    /// Age of the oldest pending message; nil when none waits.
    public var oldestPendingAge: TimeInterval?

    public init(pending: Int, failed: Int, oldestPendingAge: TimeInterval?) {
        self.pending = pending
        self.failed = failed
        self.oldestPendingAge = oldestPendingAge
    }
}
