import Configuration
import Foundation
import RelyingParty
import Testing

/// `pages:` — the site name and the operator's error template.
@Suite struct PageConfigurationTests {
    private func load(_ pages: String) throws(ConfigurationError) -> ServiceConfiguration {
        try ConfigurationLoader.parse(yaml: pages + "\n" + minimalYAML)
    }

    private func templateFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString).html").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theSiteNameDefaultsToThePublicHost() throws {
        let pages = try ConfigurationLoader.parse(yaml: minimalYAML).settings.pages
        #expect(pages.siteName == "app.example.com")
        #expect(pages.template == nil)
    }

    @Test func aTemplateFileAndSiteNameAreRead() throws {
        let path = try templateFile("<h1>{{title}}</h1>{{#error}}<small>{{error}}</small>{{/error}}")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pages = try load("pages: {site_name: Acme, error_template: \(path)}").settings.pages
        #expect(pages.siteName == "Acme")
        #expect(pages.template != nil)
    }

    @Test func aTemplateWithoutTheProviderListIsWarnedAboutWhenSeveralProvidersAreConfigured() throws {
        let second = "\n  - name: partner\n    issuer: https://partner.example.com\n    client_id: app\n    client_secret: s3cret\n"
        let bare = try templateFile("<h1>{{title}}</h1>")
        let listing = try templateFile("<h1>{{title}}</h1>{{#providers}}<a href=\"{{provider_url}}\">{{provider_name}}</a>{{/providers}}")
        defer { for path in [bare, listing] { try? FileManager.default.removeItem(atPath: path) } }
        let warned = try ConfigurationLoader.parse(yaml: "pages: {error_template: \(bare)}\n" + minimalYAML + second)
        #expect(ConfigurationWarnings.of(warned).contains { $0.contains("{{#providers}}") })
        #expect(ConfigurationWarnings.of(try load("pages: {error_template: \(bare)}")).isEmpty, "one provider: no location can list several")
        #expect(ConfigurationWarnings.of(try ConfigurationLoader.parse(yaml: "pages: {error_template: \(listing)}\n" + minimalYAML + second)).isEmpty)
    }

    @Test(arguments: [
        ("<h1>{{titel}}</h1>", "unknown placeholder `{{titel}}`"),
        ("{{#error}}<small>", "never closed"),
        ("{{/error}}", "closes no open"),
    ])
    func aBrokenTemplateNamesTheFileAndTheProblem(text: String, says: String) throws {
        let path = try templateFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = configurationError { () throws(ConfigurationError) in try load("pages: {error_template: \(path)}") }
        let problem = error?.problems.first { $0.path == "pages.error_template" }
        #expect(problem?.message.contains(says) == true, "\(String(describing: error))")
        #expect(problem?.message.contains(path) == true)
    }

    @Test func aMissingTemplateFileIsAConfigurationError() {
        let error = configurationError { () throws(ConfigurationError) in try load("pages: {error_template: /nonexistent/error.html}") }
        #expect(error?.problems.first { $0.path == "pages.error_template" }?.message.contains("cannot read") == true)
    }
}
