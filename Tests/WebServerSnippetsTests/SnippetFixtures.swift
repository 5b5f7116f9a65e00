import Configuration
import Foundation
import WebServerSnippets

/// The configuration the shipped include files are written for: the README's
/// example, with the Apache listen address where Apache is meant.
let exampleYAML = """
listen: tcp:127.0.0.1:9000
public_url: https://app.example.com
session:
  secrets: ["0123456789abcdef0123456789abcdef-first"]
providers:
  - name: main
    issuer: https://login.example.com/realms/acme
    client_id: app
    client_secret: s3cret
headers:
  claims:
    X-Remote-Email: email
    X-Remote-Name: name
"""

let exampleConfigFile = "/etc/oidc-fcgi/config.yaml"

func source(_ yaml: String) throws -> SnippetSource {
    SnippetSource(configFile: exampleConfigFile, service: try ConfigurationLoader.parse(yaml: yaml))
}

/// `exampleYAML` with `extra` lines merged into its `headers:` section.
func exampleWith(headers extra: String) -> String {
    exampleYAML + "\n" + extra.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
}

func snippet(_ name: String, in snippets: [Snippet]) -> String {
    snippets.first { $0.fileName == name }?.text ?? ""
}

/// The directives of an include file, each with its white space collapsed,
/// sorted: what nginx or Apache reads, whatever the comments and order say.
func directives(_ text: String) -> [String] {
    text.split(separator: "\n").map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        .filter { !$0.isEmpty && !$0.hasPrefix("#") }.sorted()
}

/// A file shipped in the repository's nginx/ or apache/ directory.
func shipped(_ relativePath: String) throws -> String {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try String(contentsOf: repository.appendingPathComponent(relativePath), encoding: .utf8)
}
