import Foundation
import Logging
import Testing
@testable import RelyingParty

/// The one template every page renders through, and the JSON API clients get.
@Suite struct ErrorPagesTests {
    private let browser = Request.browser(headers: ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"])
    private let api = Request.browser(headers: ["Accept": "application/json"])

    private func pages(_ template: String? = nil, siteName: String = "Example App") throws -> ErrorPages {
        ErrorPages(settings: PageSettings(siteName: siteName, template: try template.map { try PageTemplate(parsing: $0) }),
                   startURL: "https://app.example.com/", random: SystemRandomSource(), logger: Logger(label: "test"))
    }

    private func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func everyValueIsHTMLEscaped() throws {
        let page = ErrorPage(status: 403, title: "<b>T</b>", message: "a & \"b\" 'c'", error: "access_denied",
                             errorDescription: "<script>alert(1)</script>", tryAgainURL: "https://app.example.com/x?a=1&b=\"2\"")
        let html = text(try pages().response(page, for: browser))
        #expect(!html.contains("<script>") && !html.contains("<b>T"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a &amp; &quot;b&quot; &#39;c&#39;"))
        #expect(html.contains(#"href="https://app.example.com/x?a=1&amp;b=&quot;2&quot;""#))
        #expect(html.contains("Example App"))
        #expect(html.contains("access_denied"))
    }

    @Test func theOperatorsTemplateIsUsedWithEveryPlaceholder() throws {
        let template = "[{{status}}|{{title}}|{{message}}|{{error}}|{{error_description}}|{{site_name}}|{{try_again_url}}|{{start_url}}|{{correlation_id}}]"
        let page = ErrorPage(status: 502, title: "T", message: "M", error: "server_error", errorDescription: "D", tryAgainURL: "/again")
        let response = try pages(template, siteName: "S").response(page, for: browser)
        let fields = text(response).dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(fields.prefix(8)) == ["502", "T", "M", "server_error", "D", "S", "/again", "https://app.example.com/"])
        #expect(fields[8].count == 24 && fields[8].allSatisfy(\.isHexDigit))
        // An operator's page may load its own assets, but is never framed.
        #expect(response.header("Content-Security-Policy") == "frame-ancestors 'none'")
    }

    @Test func sectionsShowOnlyWithAValue() throws {
        let rendered = text(try pages("{{#error_description}}<p>{{error_description}}</p>{{/error_description}}|{{#try_again_url}}again{{/try_again_url}}")
            .response(ErrorPage(status: 400, title: "T", message: "M", errorDescription: "x"), for: browser))
        #expect(rendered == "<p>x</p>|")
    }

    @Test(arguments: ["{{nope}}", "{{#title}}never closed", "{{/title}}", "{{title", "{{#title}}{{/message}}"])
    func aBrokenTemplateIsRefused(_ source: String) {
        #expect(throws: PageTemplate.ParseError.self) { try PageTemplate(parsing: source) }
    }

    @Test func apiClientsGetJSONWithTheSameCorrelationIDAsTheLog() throws {
        let log = LogCapture()
        let pages = ErrorPages(settings: PageSettings(), startURL: "/", random: SystemRandomSource(), logger: log.logger)
        let response = pages.response(ErrorPage(status: 403, title: "Sign-in was cancelled", message: "You declined.", error: "access_denied",
                                                errorDescription: "<script>", log: "login not completed"), for: api)
        #expect(response.header("Content-Type") == "application/json")
        let body = try JSONDecoder().decode([String: String].self, from: Data(response.body))
        #expect(body["error"] == "access_denied")
        #expect(body["error_description"] == "You declined.")
        #expect(body["provider_error_description"] == "<script>")
        let id = try #require(body["correlation_id"])
        #expect(log.lines.contains { $0.contains("login not completed") && $0.contains(id) })
    }

    @Test func every503CarriesRetryAfterAndNothingIsCached() throws {
        let response = try pages().response(status: 503, title: "Down", message: "Later.", for: browser)
        #expect(response.header("Retry-After") == "5")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        let given = try pages().response(status: 503, title: "Down", message: "Later.", for: browser, headers: [Response.Header(.retryAfter, "10")])
        #expect(given.headers(named: "Retry-After") == ["10"])
    }

    @Test func aLongOrControlCharacterDescriptionIsCapped() throws {
        let page = ErrorPage(status: 403, title: "T", message: "M", error: "bad\"code\r\n", errorDescription: String(repeating: "é", count: 400) + "\r\n")
        let body = try JSONDecoder().decode([String: String].self, from: Data(try pages().response(page, for: api).body))
        #expect(body["error"] == "access_denied")
        let detail = try #require(body["provider_error_description"])
        #expect(detail.utf8.count <= ErrorPage.maxDescriptionBytes && detail.hasSuffix("…"))
    }
}

/// Collects log lines (message and metadata) for assertions.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    var lines: [String] { lock.withLock { collected } }

    var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ line: String) { lock.withLock { collected.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            capture.append("\(event.message) \((event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
        }
    }
}
