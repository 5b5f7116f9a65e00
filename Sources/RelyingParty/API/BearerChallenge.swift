import Foundation

/// A refusal of an API request, in RFC 6750 §3 terms: the status, the
/// `WWW-Authenticate: Bearer` challenge and a small JSON body. Every word comes
/// from the code or the operator's configuration, never from the request.
///
/// Two shapes: to nginx's auth_request the body cannot travel, so the auth answer
/// carries it in `OIDC-Error-Body` for the include files' error locations to
/// return; an answer that goes straight to the client (a login location, Apache)
/// carries it as the body.
public struct BearerChallenge: Sendable, Equatable {
    public enum Code: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidToken = "invalid_token"
        case insufficientScope = "insufficient_scope"
    }

    public static let errorBodyHeader: HeaderName = "OIDC-Error-Body"

    public var status: Int
    /// Nil when the request carried no token at all (RFC 6750 §3.1: no error code then).
    public var code: Code?
    public var description: String
    /// The scopes the location requires, for `insufficient_scope`.
    public var scope: String?

    public static func missingToken() -> BearerChallenge {
        BearerChallenge(status: 401, code: nil, description: "This resource needs a bearer access token", scope: nil)
    }

    public static func refused(_ error: AccessTokenError) -> BearerChallenge {
        let code: Code
        switch error {
        case .badHeader(.empty), .badHeader(.invalidCharacters), .badHeader(.severalValues): code = .invalidRequest
        default: code = .invalidToken
        }
        return BearerChallenge(status: 401, code: code, description: error.clientDescription, scope: nil)
    }

    public static func insufficientScope(required: [String]) -> BearerChallenge {
        BearerChallenge(status: 403, code: .insufficientScope, description: "The access token lacks a scope this resource requires",
                        scope: required.joined(separator: " "))
    }

    /// `Bearer realm="…"[, error="…", error_description="…"][, scope="…"]`. The realm
    /// and scope are validated when read (no quote, backslash or control character);
    /// the description is fixed text.
    public func headerValue(realm: String) -> String {
        var value = "Bearer realm=\"\(realm)\""
        if let code {
            value += ", error=\"\(code.rawValue)\", error_description=\"\(description)\""
        }
        if let scope { value += ", scope=\"\(scope)\"" }
        return value
    }

    /// A valid token whose claims do not satisfy the location's claim rule.
    public static func deniedByRule() -> BearerChallenge {
        BearerChallenge(status: 403, code: nil, description: "The token's identity is not allowed to use this resource", scope: nil)
    }

    /// `{"error": …, "error_description": …}`; without a code, `error` is
    /// "unauthorized" for a 401 (no token sent) and "access_denied" for a 403.
    public var jsonBody: [UInt8] {
        let body = ["error": code?.rawValue ?? (status == 403 ? "access_denied" : "unauthorized"), "error_description": description]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(body))) ?? Array("{\"error\":\"unauthorized\"}".utf8)
    }

    /// For nginx's auth_request: status, challenge, and the body in a header.
    public func authAnswer(realm: String) -> Response {
        Response(status: status, headers: [
            Response.Header(.wwwAuthenticate, headerValue(realm: realm)),
            Response.Header(Self.errorBodyHeader, String(decoding: jsonBody, as: UTF8.self)),
        ])
    }

    /// For an answer the client receives as it is.
    public func directAnswer(realm: String) -> Response {
        Response(status: status, headers: [
            Response.Header(.wwwAuthenticate, headerValue(realm: realm)),
            Response.Header(.cacheControl, "no-store"),
            Response.Header(.contentType, "application/json"),
        ], body: jsonBody + [UInt8(ascii: "\n")])
    }
}
