import Foundation
import JWTKit
import Synchronization

/// Tokens whose signature was already checked, with their claims, so that a client sending the same
/// token on every request costs one dictionary lookup instead of a trip through jwt-kit.
///
/// jwt-kit's key collection is an actor: every verification runs on its one executor, one at a time,
/// which caps authenticated requests at what one core can verify. A token is immutable (the signature
/// covers every byte), so a hit needs no re-verification; only its expiry is checked again, on each hit.
/// At most `capacity` tokens are kept; when it is full the cache starts again empty.
final class VerifiedTokens: Sendable {
    private let claims = Mutex<[String: AccessTokenClaims]>([:])
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The claims of `token` when it was verified before and has not expired at `now`.
    func claims(of token: String, now: Date = Date()) -> AccessTokenClaims? {
        claims.withLock { claims in
            guard let found = claims[token] else { return nil }
            guard found.exp.value > now else {
                claims[token] = nil
                return nil
            }
            return found
        }
    }

    func store(_ token: String, _ verified: AccessTokenClaims) {
        claims.withLock { claims in
            if claims.count >= capacity { claims.removeAll(keepingCapacity: true) }
            claims[token] = verified
        }
    }
}
