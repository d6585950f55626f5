import Auth
import Mail
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Storage
import Testing
@testable import App

@Suite struct OpenAPIDocumentTests {
    /// "GET /events/{id}" for every operation the document names.
    static func documentedOperations(_ document: JSONValue) -> Set<String> {
        guard case .object(let paths)? = document["paths"] else { return [] }
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in item.objectKeys where method != "parameters" {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        try await TestApp.run { api in
            let configuration = api.app.configuration
            let router = try await buildRouter(
                configuration, database: api.app.database,
                tokens: try await TokenService(secret: configuration.jwtSecret!, lifetime: 60), secret: configuration.jwtSecret!,
                mailer: Mailer(templates: try await MailTemplates(), sealer: MailSealer(secret: configuration.jwtSecret!), wakeUp: OutboxWakeUp()),
                metrics: ServiceMetrics(), logger: Logger(label: "test"))
            let allRoutes = Set(
                router.routes.map { route in
                    let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                    return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
                })
            let served = try await api.request(.get, "/api-spec-json").json()
            let documented = Self.documentedOperations(served)
            // The web pages answer HTML to browsers; they are not part of the API.
            let pagePrefixes = ["/register", "/login", "/logout", "/my/", "/organizer/", "/assets/"]
            let routed = allRoutes.filter { route in
                let path = String(route.split(separator: " ")[1])
                return path != "/" && !pagePrefixes.contains { path.hasPrefix($0) }
            }
            #expect(routed.count > 15)
            #expect(routed.subtracting(documented).isEmpty, "routes missing from the document")
            #expect(documented.subtracting(routed).isEmpty, "documented routes that do not exist")
        }
    }

    @Test func servedDocumentDeclaresTheBearerSchemeOnProtectedOperationsOnly() async throws {
        try await TestApp.run { api in
            let document = try await api.request(.get, "/api-spec-json").json()
            #expect(document["openapi"]?.stringValue == "3.0.3")
            #expect(document["components"]?["securitySchemes"]?["bearerAuth"]?["scheme"]?.stringValue == "bearer")
            #expect(document["paths"]?["/bookings"]?["post"]?["security"] != nil)
            #expect(document["paths"]?["/events"]?["get"]?["security"] == nil)
            #expect(document["components"]?["schemas"]?["BookingCreate"]?["properties"]?["seatCount"]?["maximum"]?.intValue == 10)
        }
    }

    @Test func swaggerPageExplainsWhatToInstallWhenItsFilesAreMissing() async throws {
        try await TestApp.run(configure: { $0.swaggerUIDirectory = "/nonexistent" }) { api in
            let page = try await api.request(.get, "/api-spec")
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("apt-get install python3-flasgger"))
            #expect(try await api.request(.get, "/api-spec/assets/swagger-ui-bundle.js").status == .notFound)
        }
    }

    @Test func swaggerAssetsAreServedFromTheConfiguredFolderOnly() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swagger-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in SwaggerUIAssets.files.keys { try Data("/* \(name) */".utf8).write(to: folder.appendingPathComponent(name)) }
        try await TestApp.run(configure: { $0.swaggerUIDirectory = folder.path }) { api in
            let page = try await api.request(.get, "/api-spec")
            #expect(String(buffer: page.body).contains("SwaggerUIBundle"))
            let script = try await api.request(.get, "/api-spec/assets/swagger-ui-bundle.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "application/javascript")
            #expect(String(buffer: script.body) == "/* swagger-ui-bundle.js */")
            #expect(try await api.request(.get, "/api-spec/assets/..%2F..%2Fetc%2Fpasswd").status == .notFound)
        }
    }
}
