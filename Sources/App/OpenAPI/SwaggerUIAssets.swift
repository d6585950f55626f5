import Foundation
import Logging
import NIOCore

/// Swagger UI's files, read once at start-up from an installed package (never from the network, never
/// from this repository): Debian's `python3-flasgger` by default, or any folder `SWAGGER_UI_DIR` names
/// that holds `swagger-ui-bundle.js`, `swagger-ui-standalone-preset.js` and `swagger-ui.css`.
struct SwaggerUIAssets: Sendable {
    /// Where `apt-get install python3-flasgger` puts them.
    static let defaultDirectory = "/usr/lib/python3/dist-packages/flasgger/ui3/static"
    static let files = ["swagger-ui-bundle.js": "application/javascript", "swagger-ui-standalone-preset.js": "application/javascript", "swagger-ui.css": "text/css"]

    let directory: String
    /// File name to its content type and bytes; empty when the folder lacks any of them.
    let assets: [String: (contentType: String, body: ByteBuffer)]

    init(directory: String, logger: Logger) {
        self.directory = directory
        var assets: [String: (String, ByteBuffer)] = [:]
        for (name, contentType) in Self.files {
            guard let data = FileManager.default.contents(atPath: URL(fileURLWithPath: directory).appendingPathComponent(name).path) else {
                logger.warning(
                    "Swagger UI not found: /api-spec explains how to install it",
                    metadata: ["swagger.ui.dir": "\(directory)", "missing": "\(name)"])
                assets = [:]
                break
            }
            assets[name] = (contentType, ByteBuffer(bytes: data))
        }
        self.assets = assets
    }

    var isInstalled: Bool { !assets.isEmpty }
}
