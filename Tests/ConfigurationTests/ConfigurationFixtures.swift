import Configuration
import Foundation

/// A complete, valid file for the tests of file-level corners (size,
/// encoding, merge keys); each test changes one thing in it.
let minimalYAML = """
public_url: https://app.example.com
session:
  secrets: ["0123456789abcdef0123456789abcdef-first"]
providers:
  - name: corp
    issuer: https://idp.example.com
    client_id: app
    client_secret: s3cret
"""

/// The error `parse` throws, or nil when the file is valid.
func configurationError(_ body: () throws(ConfigurationError) -> ServiceConfiguration) -> ConfigurationError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// A directory removed when the test ends.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("oidc-fcgi-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
