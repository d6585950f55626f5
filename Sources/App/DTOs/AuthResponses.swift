import Hummingbird
import Storage

/// `POST /auth/register` and `/auth/login` answer a token.
struct AccessTokenResponse: ResponseEncodable, Sendable {
    var accessToken: String
    var type = "user"
}

/// `POST /auth/send-code`: when the code went out, how long it lives (ms), and the send count.
struct CodeSentResponse: ResponseEncodable, Sendable {
    struct Email: Encodable, Sendable {
        var sentAt: String
        var timeout: Int
        var attempt: Int
        var maxAttempt: Int
    }

    var email: Email
}

/// `GET /auth/me`: the caller's own profile, the only answer that shows an email.
struct ProfileResponse: ResponseEncodable, Sendable {
    var id: Int64
    var email: String
    var firstname: String
    var lastname: String
    var country: String
    var role: UserRole
    var createdAt: String
    var updatedAt: String

    init(_ user: User) {
        self.id = user.id!
        self.email = user.email
        self.firstname = user.firstname
        self.lastname = user.lastname
        self.country = user.country
        self.role = user.role
        self.createdAt = Timestamp.string(user.createdAt)
        self.updatedAt = Timestamp.string(user.updatedAt)
    }
}
