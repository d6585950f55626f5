import Foundation
import HTTPTypes
import Hummingbird

/// The service's rate limits (`RATE_LIMIT_*`), each nil when off, and how a request's client is known.
///
/// Limits are held in memory: a restart resets them.
struct RateLimits: Sendable {
    var loginPerAccount: RateLimiter?
    var authPerIP: RateLimiter?
    var bookingsPerUser: RateLimiter?
    /// The proxy whose `X-Forwarded-For` is believed; nil: the socket's peer is the client.
    var trustedProxy: String?
    /// Counts every refusal by limit (`eventbooking_rate_limited_total`).
    var metrics: ServiceMetrics?

    /// No limits at all.
    init() {}

    init(_ configuration: AppConfiguration) {
        loginPerAccount = configuration.rateLimitLoginPerAccount.map { RateLimiter($0) }
        authPerIP = configuration.rateLimitAuthPerIP.map { RateLimiter($0) }
        bookingsPerUser = configuration.rateLimitBookingsPerUser.map { RateLimiter($0) }
        trustedProxy = configuration.trustedProxy
    }

    /// The client's address: the socket's peer, or the last hop of `X-Forwarded-For` when that peer is the
    /// trusted proxy (the hops before it are whatever the client chose to send).
    func clientAddress(_ request: Request, peer: String?) -> String {
        if let trustedProxy, peer == trustedProxy, let forwarded = request.headers[.xForwardedFor],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return last
        }
        return peer ?? "unknown"
    }

    /// Counts an auth request (send-code, register, login) from this client; 429 past `RATE_LIMIT_AUTH_PER_IP`.
    func countAuthRequest(_ request: Request, peer: String?) throws {
        if let retryAfter = authPerIP?.attempt(clientAddress(request, peer: peer)) { throw refused("auth_per_ip", retryAfter) }
    }

    /// 429 while `email` is over `RATE_LIMIT_LOGIN_PER_ACCOUNT`'s failed logins, even with the right password.
    func checkLogin(email: String) throws {
        if let retryAfter = loginPerAccount?.retryAfter(email.lowercased()) { throw refused("login_per_account", retryAfter) }
    }

    func recordFailedLogin(email: String) {
        loginPerAccount?.record(email.lowercased())
    }

    /// Counts a booking request of `userId`; 429 past `RATE_LIMIT_BOOKINGS_PER_USER`.
    func countBooking(userId: Int64) throws {
        if let retryAfter = bookingsPerUser?.attempt(String(userId)) { throw refused("bookings_per_user", retryAfter) }
    }

    private func refused(_ limit: String, _ retryAfter: Int) -> AppError {
        metrics?.recordRateLimited(limit)
        return AppError.tooManyRequests(retryAfter: retryAfter)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
