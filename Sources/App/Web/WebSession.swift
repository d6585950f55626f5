import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Who is looking at a page, from their cookies, and the cookies the pages set.
///
/// - `session`: the same JWT the API hands out, `HttpOnly`, `SameSite=Lax`, and `Secure` when the request came
///   over TLS through `TRUSTED_PROXY`. The JSON API never reads it: it keeps its bearer tokens, so a page's
///   cookie cannot be used against the API from another site.
/// - `csrf`: a random value signed with a key derived from the JWT secret. Every form that changes something
///   carries it in a hidden field, and the server refuses the form unless field and cookie agree and the
///   signature holds (signed double submit).
struct WebSession: Sendable {
    static let sessionCookie = "session"
    static let csrfCookie = "csrf"
    static let csrfField = "_csrf"

    let accounts: Accounts
    let csrfKey: SymmetricKey
    /// How long a session cookie lives: the token's own lifetime.
    let lifetime: TimeInterval
    let trustedProxy: String?

    init(accounts: Accounts, secret: String, lifetime: TimeInterval, trustedProxy: String?) {
        self.accounts = accounts
        self.csrfKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(secret.utf8)), info: Array("event-booking web csrf".utf8), outputByteCount: 32)
        self.lifetime = lifetime
        self.trustedProxy = trustedProxy
    }

    /// The visitor of one page request.
    struct Visitor: Sendable {
        var user: User?
        /// The CSRF token the page's forms carry.
        var csrf: String
        /// True when the visitor had no valid CSRF cookie yet: the response sets it.
        var setsCSRFCookie: Bool
        /// Whether cookies must be `Secure` (the request came over TLS through the trusted proxy).
        var secure: Bool
    }

    func visitor(_ request: Request, peer: String?) async throws -> Visitor {
        let cookies = Self.cookies(request)
        var user: User?
        if let token = cookies[Self.sessionCookie], !token.isEmpty { user = try await accounts.user(forToken: token) }
        let existing = cookies[Self.csrfCookie].flatMap { isValid(csrf: $0) ? $0 : nil }
        return Visitor(user: user, csrf: existing ?? newCSRFToken(), setsCSRFCookie: existing == nil, secure: isSecure(request, peer: peer))
    }

    /// True when `form` carries the CSRF token of this visitor's cookie, and the token is ours.
    func acceptsForm(_ form: [String: String], _ request: Request) -> Bool {
        guard let sent = form[Self.csrfField], let cookie = Self.cookies(request)[Self.csrfCookie] else { return false }
        return isValid(csrf: cookie) && Array(sent.utf8).withUnsafeBytes { sentBytes in
            Array(cookie.utf8).withUnsafeBytes { cookieBytes in
                sentBytes.count == cookieBytes.count && safeCompare(sentBytes, cookieBytes)
            }
        }
    }

    /// The `Set-Cookie` value that logs the visitor in with `token`.
    func sessionCookie(_ token: String, for visitor: Visitor) -> String {
        cookie(Self.sessionCookie, token, maxAge: Int(lifetime), secure: visitor.secure)
    }

    /// The `Set-Cookie` value that logs the visitor out.
    func clearedSessionCookie(for visitor: Visitor) -> String {
        cookie(Self.sessionCookie, "", maxAge: 0, secure: visitor.secure)
    }

    func csrfCookie(for visitor: Visitor) -> String {
        cookie(Self.csrfCookie, visitor.csrf, maxAge: 60 * 60 * 24 * 30, secure: visitor.secure)
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    /// The request came over TLS: the trusted proxy in front says so.
    private func isSecure(_ request: Request, peer: String?) -> Bool {
        guard let trustedProxy, peer == trustedProxy else { return false }
        return request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    private func newCSRFToken() -> String {
        let nonce = Data((0..<18).map { _ in UInt8.random(in: 0...255) }).base64URL
        return nonce + "." + signature(nonce)
    }

    private func isValid(csrf token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let expected = signature(String(parts[0]))
        return Array(parts[1].utf8).withUnsafeBytes { given in
            Array(expected.utf8).withUnsafeBytes { wanted in given.count == wanted.count && safeCompare(given, wanted) }
        }
    }

    private func signature(_ nonce: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(nonce.utf8), using: csrfKey).prefix(18)).base64URL
    }

    /// The request's cookies by name (the first of each).
    static func cookies(_ request: Request) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                if cookies[name] == nil { cookies[name] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return cookies
    }
}

/// Constant-time comparison of two buffers of the same length.
private func safeCompare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    var difference: UInt8 = 0
    for index in 0..<a.count { difference |= a[index] ^ b[index] }
    return difference == 0
}

extension Data {
    /// Base64url without padding: safe in a cookie and a form field as it is.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
