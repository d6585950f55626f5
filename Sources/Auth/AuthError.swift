/// Why an authentication step failed. App maps these to 401 (tokens) or a start-up failure (secrets).
public enum AuthError: Error, Equatable, Sendable {
    /// The token is malformed, wrongly signed, expired or names no valid subject.
    case invalidToken
    /// A signing secret too short for HS256 (jwt-kit asserts on keys under 32 bytes).
    case weakSecret(minimumBytes: Int)
    /// A stored password hash this version cannot read.
    case unreadablePasswordHash
    /// Every password hashing place is taken; try again shortly.
    case busy
}
