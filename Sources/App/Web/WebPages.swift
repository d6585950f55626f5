import Foundation
import HTTPTypes
import Hummingbird
import Mail
import Mustache
import Storage

/// What every page controller shares: the templates, the visitor's session, forms, and how a page answers.
///
/// Pages are rendered on the server from the Mustache templates in `Web/Templates` (`layout` is the frame of
/// every page), escaped by Mustache. Every form works without JavaScript; `/assets/live.js` only keeps the
/// seat count of an event page current. Nothing is loaded from another host.
struct WebPages: Sendable {
    let library: MustacheLibrary
    let session: WebSession
    let assets: [String: (contentType: String, body: ByteBuffer)]

    /// The templates and assets shipped with the service.
    static func load(session: WebSession) async throws -> WebPages {
        let bundle = Bundle.module.bundleURL
        let library = try await MustacheLibrary(directory: bundle.appendingPathComponent("Templates").path)
        var assets: [String: (contentType: String, body: ByteBuffer)] = [:]
        for (name, type) in [("style.css", "text/css; charset=utf-8"), ("live.js", "text/javascript; charset=utf-8")] {
            let data = try Data(contentsOf: bundle.appendingPathComponent("Assets").appendingPathComponent(name))
            assets[name] = (type, ByteBuffer(bytes: data))
        }
        return WebPages(library: library, session: session, assets: assets)
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("assets/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let asset = assets[name] else {
                throw AppError(status: .notFound, code: "NOT_FOUND", message: "No such asset")
            }
            return Response(status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: asset.body))
        }
    }

    /// Page requests come from browsers that send `Accept: text/html`; API clients do not.
    static func wantsHTML(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("text/html") == true
    }

    func visitor(_ request: Request, _ context: AppRequestContext) async throws -> WebSession.Visitor {
        try await session.visitor(request, peer: context.peerAddress)
    }

    /// `template` rendered with `values`, the visitor's name and CSRF token added.
    func page(
        _ template: String, _ values: [String: Any] = [:], visitor: WebSession.Visitor, status: HTTPResponse.Status = .ok,
        cookies: [String] = []
    ) -> Response {
        var context = values
        context["csrf"] = visitor.csrf
        if let user = visitor.user {
            context["session"] = ["name": "\(user.firstname) \(user.lastname)", "organizer": user.role == .organizer] as [String: Any]
        }
        let html = library.render(context, withTemplate: template) ?? ""
        var headers = headers(visitor: visitor, cookies: cookies)
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page that confirms a new booking: its reference, seats and event.
    func booked(_ booked: BookingDetails, visitor: WebSession.Visitor) -> Response {
        let booking: [String: Any] = [
            "eventId": booked.booking.eventId, "eventTitle": booked.eventTitle, "date": Self.date(booked.eventDate),
            "seatCount": booked.booking.seatCount, "reference": booked.booking.bookingReference,
        ]
        return page("booked", ["booking": booking], visitor: visitor, status: .created)
    }

    /// A page that only says something: `heading`, `message`, and a link onwards.
    func message(
        _ heading: String, _ message: String, link: (href: String, text: String)? = nil, visitor: WebSession.Visitor,
        status: HTTPResponse.Status
    ) -> Response {
        var values: [String: Any] = ["heading": heading, "message": message]
        if let link { values["link"] = ["href": link.href, "text": link.text] }
        return page("message", values, visitor: visitor, status: status)
    }

    /// 303 to `location`: after a form, the browser GETs the result, so a reload does not send the form again.
    func redirect(_ location: String, visitor: WebSession.Visitor, cookies: [String] = []) -> Response {
        var headers = headers(visitor: visitor, cookies: cookies)
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    private func headers(visitor: WebSession.Visitor, cookies: [String]) -> HTTPFields {
        var headers: HTTPFields = [
            .cacheControl: "no-store",
            // Only this host's own files, no framing, forms only to this host.
            .contentSecurityPolicy: "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ]
        if visitor.setsCSRFCookie { headers.append(HTTPField(name: .setCookie, value: session.csrfCookie(for: visitor))) }
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return headers
    }

    /// A form's fields (`application/x-www-form-urlencoded`, the first value of each), once its CSRF token is
    /// checked: nil when the token is missing or wrong.
    func form(_ request: Request, _ context: AppRequestContext) async throws -> [String: String]? {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw AppError(status: .unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", message: "Forms are sent as application/x-www-form-urlencoded")
        }
        let body = String(buffer: try await request.body.collect(upTo: context.maxUploadSize))
        var components = URLComponents()
        components.percentEncodedQuery = body.replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] where fields[item.name] == nil { fields[item.name] = item.value ?? "" }
        return session.acceptsForm(fields, request) ? fields : nil
    }

    /// `page` for a signed-in visitor who sent a form with its CSRF token: without the token 403, signed out
    /// the login page.
    func withSignedInForm(
        _ request: Request, _ context: AppRequestContext, _ page: (WebSession.Visitor, User, [String: String]) async throws -> Response
    ) async throws -> Response {
        let visitor = try await visitor(request, context)
        guard let form = try await form(request, context) else { return refusedForm(visitor: visitor) }
        guard let user = visitor.user else { return redirect("/login", visitor: visitor) }
        return try await page(visitor, user, form)
    }

    /// The answer to a form without a valid CSRF token.
    func refusedForm(visitor: WebSession.Visitor) -> Response {
        message(
            "This form was refused",
            "It did not carry this site's security token, so it may not have come from one of our pages. Go back, reload the page, and send it again.",
            link: ("/", "Back to the events"), visitor: visitor, status: .forbidden)
    }

    /// Why a form failed, as its page shows it: the status, the error code, and the messages by the field they
    /// concern (`form` for the form as a whole).
    struct Problems {
        var status: HTTPResponse.Status
        var code: String
        var messages: [String: String]

        /// The one message of a failure that has no field to sit next to.
        var summary: String { messages["form"] ?? messages.values.first ?? "" }
    }

    /// What went wrong with a form, in words: the API's messages and per-field details. `fields` puts an error
    /// code's message next to a field. Server errors are rethrown.
    func problems(_ error: any Error, _ request: Request, fields: [String: String] = [:]) throws -> Problems {
        let appError = AppError(any: error, request: request)
        guard appError.status.code < 500 || appError.status == .serviceUnavailable else { throw error }
        var messages: [String: String] = [:]
        if let details = appError.details, !details.isEmpty {
            for problem in details where messages[fields[problem.field] ?? problem.field] == nil {
                messages[fields[problem.field] ?? problem.field] = Self.inWords(problem)
            }
        } else {
            messages[fields[appError.code] ?? "form"] = appError.message
        }
        return Problems(status: appError.status, code: appError.code, messages: messages)
    }

    /// A page that says an action failed and why, with its status and a link back.
    func failure(
        _ heading: String, _ error: any Error, _ request: Request, link: (href: String, text: String), visitor: WebSession.Visitor
    ) throws -> Response {
        let problems = try problems(error, request)
        return message(heading, problems.summary, link: link, visitor: visitor, status: problems.status)
    }

    /// The labels the forms show for the API's field names.
    static let labels = [
        "seatCount": "Seats", "totalSeats": "Seats", "title": "Title", "description": "Description", "eventDate": "Date",
        "email": "Email", "password": "Password", "firstname": "First name", "lastname": "Last name", "country": "Country",
        "emailVerificationCode": "Code",
    ]

    /// The API's message about a field, naming it as the form's label does: "Seats must be between 1 and 10".
    static func inWords(_ problem: FieldProblem) -> String {
        guard let label = labels[problem.field], problem.message.hasPrefix(problem.field + " ") else { return problem.message }
        return label + problem.message.dropFirst(problem.field.count)
    }

    /// How a signed-in page treats a visitor who is not: to the login page, and back here afterwards.
    func logInFirst(_ request: Request, visitor: WebSession.Visitor) -> Response {
        redirect("/login?next=\(request.uri.path)", visitor: visitor)
    }

    /// A page for organizers, seen by someone else.
    func organizersOnly(visitor: WebSession.Visitor) -> Response {
        message("For organizers", "This page is for the organizers of events.", link: ("/", "Back to the events"), visitor: visitor, status: .forbidden)
    }

    /// "12 seats left", "1 seat left" or "Sold out".
    static func seatsText(_ available: Int) -> String {
        available == 0 ? "Sold out" : "\(available) seat\(available == 1 ? "" : "s") left"
    }

    static func date(_ date: Date?) -> String { Mailer.humanDate(date) }

    /// "19:42:07 UTC": when a hold ends, to the second.
    static func timeOfDay(_ date: Date) -> String { date.formatted(timeOfDayStyle) }

    private static let timeOfDayStyle = Date.VerbatimFormatStyle(
        format: "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) UTC",
        locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian))
}

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
}
