import Foundation
import HTTPTypes
import Hummingbird

/// `/api-spec-json` (the OpenAPI document), `/api-spec` (Swagger UI) and Swagger UI's assets.
struct APIDocumentationController {
    let documentBody: ByteBuffer
    let swaggerUI: SwaggerUIAssets

    init(document: JSONValue, swaggerUI: SwaggerUIAssets) {
        // Encoded once: the document does not change while the server runs.
        self.documentBody = ByteBuffer(bytes: (try? JSONEncoder.api().encode(document)) ?? Data())
        self.swaggerUI = swaggerUI
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api-spec-json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: documentBody))
        }
        router.get("api-spec") { _, _ in
            let page = swaggerUI.isInstalled ? Self.swaggerPage : Self.missingPage(directory: swaggerUI.directory)
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("api-spec/assets/:file") { _, context in
            guard let name = context.parameters.get("file"), let asset = swaggerUI.assets[name] else {
                throw AppError(status: .notFound, code: "NOT_FOUND", message: "No such Swagger UI asset")
            }
            return Response(
                status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: asset.body))
        }
    }

    static let swaggerPage = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Event Booking API</title>
          <link rel="stylesheet" href="/api-spec/assets/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="/api-spec/assets/swagger-ui-bundle.js"></script>
          <script src="/api-spec/assets/swagger-ui-standalone-preset.js"></script>
          <script>
            window.ui = SwaggerUIBundle({
              url: "/api-spec-json",
              dom_id: "#swagger-ui",
              deepLinking: true,
              persistAuthorization: true,
              presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
              layout: "BaseLayout"
            });
          </script>
        </body>
        </html>
        """

    static func missingPage(directory: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Event Booking API</title></head>
        <body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
          <h1>Swagger UI is not installed</h1>
          <p>This page needs Swagger UI's files, which come from a system package, not from the network.
             None were found in <code>\(directory)</code>.</p>
          <p>Install them with <code>sudo apt-get install python3-flasgger</code> (Debian and Ubuntu), or point
             <code>SWAGGER_UI_DIR</code> at a folder holding <code>swagger-ui-bundle.js</code>,
             <code>swagger-ui-standalone-preset.js</code> and <code>swagger-ui.css</code>
             (for example the one inside PyPI's <code>swagger-ui-bundle</code> package), then restart the service.</p>
          <p>The OpenAPI document itself is always at <a href="/api-spec-json">/api-spec-json</a>.</p>
        </body>
        </html>
        """
    }
}
