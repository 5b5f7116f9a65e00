import Foundation

/// nginx's 403: the auth answer refused the request (a claim rule, a missing
/// scope, an identity too large to hand on) and the include files send the
/// client here (`error_page 403 = @oidc_forbidden`) with what that answer
/// said (`OIDC_ERROR_BODY`, `OIDC_WWW_AUTHENTICATE`, both set by nginx from
/// the auth answer's own headers, never from the client). Browsers get a page;
/// everything else the JSON body and the Bearer challenge. No store read.
struct ForbiddenHandler: Sendable {
    static let deniedMessage = "You are signed in, but you do not have access to this page."
    static let maxRelayedBytes = 2048
    let pages: ErrorPages

    func handle(_ request: Request, mode: LocationMode) -> Response {
        let body = Self.errorBody(request.params["OIDC_ERROR_BODY"])
        if RequestClassifier.isNavigation(request) && !mode.takesBearer(request) {
            let message = body["error_description"].map { $0 == "You do not have access to this page" ? Self.deniedMessage : $0 } ?? Self.deniedMessage
            return pages.response(ErrorPage(status: 403, title: "Access denied", message: message, error: body["error"],
                                            log: "answered 403 for the web server (the reason is in the auth answer's line)", logLevel: .info), for: request)
        }
        var headers = [Response.Header(.cacheControl, "no-store"), Response.Header(.contentType, "application/json")]
        if let challenge = request.params["OIDC_WWW_AUTHENTICATE"], !challenge.isEmpty, challenge.utf8.count <= Self.maxRelayedBytes {
            headers.insert(Response.Header(.wwwAuthenticate, challenge), at: 0)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(body)).map { Array($0) } ?? Array(#"{"error":"access_denied"}"#.utf8)
        return Response(status: 403, headers: headers, body: json + [UInt8(ascii: "\n")])
    }

    /// The auth answer's `{"error": …, "error_description": …}`; only those two
    /// string members are kept, and a missing or unreadable body is a plain
    /// `access_denied`.
    static func errorBody(_ text: String?) -> [String: String] {
        let fallback = ["error": "access_denied", "error_description": "You do not have access to this resource"]
        guard let text, !text.isEmpty, text.utf8.count <= maxRelayedBytes,
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let error = object["error"] as? String, !error.isEmpty else { return fallback }
        var body = ["error": String(error.prefix(100))]
        if let description = object["error_description"] as? String { body["error_description"] = String(description.prefix(300)) }
        return body
    }
}
