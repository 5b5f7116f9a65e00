/// A cookie name oidc-fcgi may write: an RFC 6265 token (so no CR, LF, space,
/// '=', ';' or control character). Only the configured names and names built
/// from a well-formed login state are ever made into one.
public struct CookieName: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    public init?(validating text: String) {
        guard CookieSyntax.isName(text) else { return nil }
        self.text = text
    }

    public var description: String { text }
}
