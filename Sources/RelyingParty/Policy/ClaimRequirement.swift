/// The claim rule a location states in the `OIDC_REQUIRE` parameter (nginx
/// `set $oidc_require "groups:admins";`); empty or absent means any
/// authenticated identity may enter. The text is compiled once by the rule book.
enum ClaimRequirement {
    static let parameter = "OIDC_REQUIRE"

    /// The location's rule; throws for a malformed one (a configuration error of
    /// the web server, answered 500 and logged with its reason).
    static func of(_ request: Request, in book: ClaimRuleBook) throws(ClaimRuleError) -> ClaimRule? {
        guard let text = request.params[parameter], !text.isEmpty else { return nil }
        return try book.rule(for: text)
    }
}
