import Foundation
import Logging

/// Renders every page oidc-fcgi shows (errors, the signed-out page) through one
/// template, and every error's JSON for clients that are not browsers. Each
/// error gets a correlation id, shown on the page, in the JSON and in the log
/// line that explains it, so a user's screenshot leads to the cause.
public struct ErrorPages: Sendable {
    let template: PageTemplate
    private let contentSecurityPolicy: String
    let siteName: String
    let startURL: String
    private let random: any RandomSource
    private let logger: Logger

    /// How long clients should wait before retrying a 503 that names no time.
    public static let defaultRetryAfterSeconds = 5

    public init(settings: PageSettings, startURL: String, random: any RandomSource, logger: Logger) {
        template = settings.template ?? BuiltInPageTemplate.template
        // An operator's page may load its own style sheet or logo; it still never renders in a frame.
        contentSecurityPolicy = settings.template == nil ? BuiltInPageTemplate.contentSecurityPolicy : "frame-ancestors 'none'"
        siteName = settings.siteName
        self.startURL = startURL
        self.random = random
        self.logger = logger
    }

    /// A page without a log line of its own (one is written for its correlation id).
    public func response(status: Int, title: String, message: String, for request: Request, headers: [Response.Header] = []) -> Response {
        response(ErrorPage(status: status, title: title, message: message), for: request, headers: headers)
    }

    public func response(_ page: ErrorPage, for request: Request, headers: [Response.Header] = []) -> Response {
        let correlationID = newCorrelationID()
        var metadata = page.logMetadata
        metadata["correlation_id"] = "\(correlationID)"
        metadata["status"] = "\(page.status)"
        if let log = page.log {
            logger.log(level: page.logLevel, "\(log)", metadata: metadata)
        } else {
            logger.info("answered with an error page: \(page.title)", metadata: metadata)
        }
        var all = headers
        all.append(Response.Header(.cacheControl, "no-store"))
        if page.status == 503, !all.contains(where: { $0.name.matches(HeaderName.retryAfter.text) }) {
            all.append(Response.Header(.retryAfter, "\(Self.defaultRetryAfterSeconds)"))
        }
        if RequestClassifier.isNavigation(request) {
            let html = template.render([
                "status": "\(page.status)", "title": page.title, "message": page.message, "error": page.code,
                "error_description": page.shownDescription ?? "", "correlation_id": correlationID, "site_name": siteName,
                "try_again_url": page.tryAgainURL ?? "", "start_url": startURL,
            ])
            return Response(status: page.status, headers: all + htmlHeaders, body: Array(html.utf8))
        }
        var body = ["error": page.code, "error_description": page.message, "correlation_id": correlationID]
        if let detail = page.shownDescription { body["provider_error_description"] = detail }
        return Response(status: page.status, headers: all + [Response.Header(.contentType, "application/json")], body: Self.json(body))
    }

    /// Where a logout without another destination lands: a page, not a
    /// protected `/` that would start the next login at once.
    public func signedOut() -> Response {
        let html = template.render([
            "status": "200", "title": "Signed out", "message": "You have been signed out.", "site_name": siteName, "start_url": startURL,
        ])
        return Response(status: 200, headers: [Response.Header(.cacheControl, "no-store")] + htmlHeaders, body: Array(html.utf8))
    }

    var htmlHeaders: [Response.Header] {
        [Response.Header(.contentType, "text/html; charset=utf-8"), Response.Header(.contentSecurityPolicy, contentSecurityPolicy)]
    }

    /// 12 random bytes as 24 hex digits: unique enough to find one line in a day of logs.
    private func newCorrelationID() -> String {
        random.bytes(12).map { String(format: "%02x", $0) }.joined()
    }

    static func json(_ object: [String: String]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(object)).map { Array($0) } ?? Array(#"{"error":"server_error"}"#.utf8)) + [UInt8(ascii: "\n")]
    }
}
