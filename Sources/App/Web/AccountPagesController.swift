import Foundation
import Hummingbird
import Logging
import Storage

/// `/register` (an emailed code, then the account), `/login` and `POST /logout`: the session cookie.
struct AccountPagesController {
    let pages: WebPages
    let accounts: Accounts

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("register", use: registerForm)
        router.post("register", use: sendCode)
        router.post("register/account", use: register)
        router.get("login", use: loginForm)
        router.post("login", use: login)
        router.post("logout", use: logout)
    }

    @Sendable func registerForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        pages.page("register", [:], visitor: try await pages.visitor(request, context))
    }

    /// Step one: mail a code to the address, then show the account form.
    @Sendable func sendCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard let form = try await pages.form(request, context) else { return pages.refusedForm(visitor: visitor) }
        var fields = FieldReader(query: form)
        let email = fields.email("email")
        do {
            try accounts.limits.countAuthRequest(request, peer: context.peerAddress)
            guard let email, fields.isValid else { throw fields.error }
            _ = try await accounts.sendCode(to: email)
            return accountForm(email: email, form: [:], errors: [:], visitor: visitor)
        } catch {
            let problems = try pages.problems(error, request, fields: ["EMAIL_IN_USE": "email", "OTP_RESEND_TOO_SOON": "email", "OTP_BLOCKED": "email"])
            // A resend that came too soon still leaves the code sent before valid: go on to the account form.
            if problems.code == "OTP_RESEND_TOO_SOON", let email {
                return accountForm(email: email, form: [:], errors: ["form": problems.summary], visitor: visitor)
            }
            return pages.page("register", ["email": form["email"] ?? "", "errors": problems.messages], visitor: visitor, status: problems.status)
        }
    }

    /// Step two: the code and the person; logged in afterwards.
    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard let form = try await pages.form(request, context) else { return pages.refusedForm(visitor: visitor) }
        var fields = FieldReader(query: form)
        let email = fields.email("email")
        let code = fields.string("emailVerificationCode", required: true, length: 1...64)
        let firstname = fields.string("firstname", required: true, length: 1...100)
        let lastname = fields.string("lastname", required: true, length: 1...100)
        let country = fields.string("country", required: true, length: 1...100)
        let password = fields.strongPassword("password")
        guard let email else { return pages.redirect("/register", visitor: visitor) }
        do {
            try accounts.limits.countAuthRequest(request, peer: context.peerAddress)
            guard let code, let firstname, let lastname, let country, let password, fields.isValid else { throw fields.error }
            let (user, token) = try await accounts.register(
                firstname: firstname, lastname: lastname, email: email, password: password, country: country, code: code, role: .user)
            context.logger.info("user registered", metadata: ["user.id": "\(user.id!)", "via": "web"])
            return pages.redirect("/", visitor: visitor, cookies: [pages.session.sessionCookie(token, for: visitor)])
        } catch {
            let problems = try pages.problems(
                error, request, fields: ["OTP_INVALID": "emailVerificationCode", "OTP_EXPIRED": "emailVerificationCode", "EMAIL_IN_USE": "form"])
            return accountForm(email: email, form: form, errors: problems.messages, visitor: visitor, status: problems.status)
        }
    }

    private func accountForm(
        email: String, form: [String: String], errors: [String: String], visitor: WebSession.Visitor, status: HTTPResponse.Status = .ok
    ) -> Response {
        let inputs: [(name: String, label: String, type: String, autocomplete: String)] = [
            ("emailVerificationCode", "Code", "text", "one-time-code"), ("firstname", "First name", "text", "given-name"),
            ("lastname", "Last name", "text", "family-name"), ("country", "Country", "text", "country-name"),
            ("password", "Password", "password", "new-password"),
        ]
        let fields: [[String: Any]] = inputs.map { input in
            var field: [String: Any] = ["name": input.name, "label": input.label, "type": input.type, "autocomplete": input.autocomplete]
            if input.type != "password", let value = form[input.name] { field["value"] = value }
            if let error = errors[input.name] { field["error"] = error }
            return field
        }
        return pages.page(
            "register",
            ["codeSent": true, "email": email, "fields": fields, "errors": errors, "codeMinutes": Int(accounts.codeRules.lifetime / 60)],
            visitor: visitor, status: status)
    }

    @Sendable func loginForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        return pages.page("login", ["next": Self.safeNext(request.uri.queryParameters["next"].map(String.init))], visitor: visitor)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard let form = try await pages.form(request, context) else { return pages.refusedForm(visitor: visitor) }
        var fields = FieldReader(query: form)
        let email = fields.string("email", required: true, length: 1...254)
        let password = fields.string("password", required: true, length: 1...1024)
        let next = Self.safeNext(form["next"])
        do {
            try accounts.limits.countAuthRequest(request, peer: context.peerAddress)
            guard let email, let password, fields.isValid else { throw fields.error }
            let (_, token) = try await accounts.logIn(email: email, password: password)
            return pages.redirect(next, visitor: visitor, cookies: [pages.session.sessionCookie(token, for: visitor)])
        } catch {
            let problems = try pages.problems(error, request, fields: ["INVALID_CREDENTIALS": "password"])
            return pages.page(
                "login", ["email": form["email"] ?? "", "next": next, "errors": problems.messages], visitor: visitor, status: problems.status)
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visitor = try await pages.visitor(request, context)
        guard try await pages.form(request, context) != nil else { return pages.refusedForm(visitor: visitor) }
        return pages.redirect("/", visitor: visitor, cookies: [pages.session.clearedSessionCookie(for: visitor)])
    }

    /// Where to go after logging in: a path of this site only, never another host.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }
}
