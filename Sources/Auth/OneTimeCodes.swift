import Crypto
import Foundation

/// Makes 6-digit one-time codes and the keyed hashes that are all the database ever holds of them.
public struct OneTimeCodes: Sendable {
    let key: SymmetricKey

    /// `secret` keys the hash (HKDF-derived, so the same secret can also sign tokens).
    public init(secret: String) {
        self.key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(secret.utf8)), info: Array("event-booking one-time codes".utf8),
            outputByteCount: 32)
    }

    /// A uniformly random code of 6 digits from the system CSPRNG.
    public func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: 0..<1_000_000, using: &generator)
        return String(format: "%06u", value)
    }

    /// HMAC-SHA256 of the code bound to its address, hex-encoded: useless without the key.
    public func hash(code: String, email: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(email.lowercased()):\(code)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
