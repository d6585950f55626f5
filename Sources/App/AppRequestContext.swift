import Foundation
import Hummingbird
import Storage

/// The context of every request: the caller, when a valid bearer token named one.
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The user the token names, set by `AuthenticationMiddleware`.
    var user: User?
    /// Why a presented token was refused; protected routes answer 401 with it.
    var authenticationProblem: String?

    /// The socket's peer address (the client, or the proxy in front of it).
    var peerAddress: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies are small JSON documents; anything larger is a 413.
    var maxUploadSize: Int { 64 * 1024 }
    var responseEncoder: JSONEncoder { .api() }
}

extension RequestContext {
    /// The route's `:ref` (a booking's or a hold's reference) in the form Storage keeps it, lowercase; nil
    /// when it is not a UUID, which names nothing.
    var referenceParameter: String? {
        parameters.get("ref").flatMap { UUID(uuidString: $0) }?.uuidString.lowercased()
    }
}

/// The context of a protected route: the user is certain, or the request never got here (401).
struct AuthenticatedContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let user: User

    init(context: AppRequestContext) throws {
        guard let user = context.user else {
            throw AppError.unauthorized(context.authenticationProblem ?? "Authentication required")
        }
        self.coreContext = context.coreContext
        self.user = user
    }

    var maxUploadSize: Int { 64 * 1024 }
    var responseEncoder: JSONEncoder { .api() }

    /// The user's id (a stored user always has one).
    var userId: Int64 { user.id! }

    /// Throws 403 unless the caller is an organizer.
    func requireOrganizer() throws {
        guard user.role == .organizer else { throw AppError.forbidden("Only organizers can do this") }
    }
}
