import Foundation
import GRDB

/// The limits on one-time codes. Defaults: 10 min lifetime, 60 s between sends, 5 wrong tries,
/// 10 sends per 24 h, then a 24 h block.
public struct OneTimeCodeRules: Sendable {
    public var lifetime: TimeInterval = 600
    public var resendCooldown: TimeInterval = 60
    public var maxFailedAttempts = 5
    public var maxSends = 10
    public var sendWindow: TimeInterval = 86_400
    public var blockDuration: TimeInterval = 86_400

    public init() {}
}

/// A row of `one_time_codes`: the live code of one address (as a keyed hash) and its counters.
struct OneTimeCode: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "one_time_codes"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var email: String
    var codeHash: String?
    var expiresAt: Date?
    var failedAttempts: Int
    var sendCount: Int
    var windowStartedAt: Date
    var lastSentAt: Date
    var blockedUntil: Date?
}

/// A code that was stored and may now be mailed.
public struct IssuedCode: Sendable, Equatable {
    public var sentAt: Date
    public var expiresAt: Date
    /// Sends in the current window, this one included.
    public var attempt: Int
    public var maxAttempts: Int
}
