import Crypto
import Foundation

/// Encrypts mails for the outbox (AES-GCM under a key derived from the service secret), so that a
/// one-time code waiting to be sent is never stored in clear text.
public struct MailSealer: Sendable {
    let key: SymmetricKey

    public init(secret: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(secret.utf8)), info: Array("event-booking outbox".utf8), outputByteCount: 32)
    }

    /// The sealed message: nonce, ciphertext and tag.
    public func seal(_ message: MailMessage) throws -> [UInt8] {
        Array(try AES.GCM.seal(try JSONEncoder().encode(message), using: key).combined!)
    }

    /// The message back; throws when the payload was not sealed with this key or was altered.
    public func open(_ payload: [UInt8]) throws -> MailMessage {
        try JSONDecoder().decode(MailMessage.self, from: try AES.GCM.open(AES.GCM.SealedBox(combined: payload), using: key))
    }
}
