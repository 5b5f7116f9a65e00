/// Whether a location hands the session's access token to the application
/// (`OIDC_PASS_ACCESS_TOKEN`, from nginx `set $oidc_pass_access_token on;`).
/// Only such locations ever refresh a token, so the auth answer of every other
/// location never waits on the provider.
enum AccessTokenPassing {
    static let parameter = "OIDC_PASS_ACCESS_TOKEN"

    /// False when absent or empty; nil for a value oidc-fcgi does not know (a
    /// configuration error of the web server).
    static func of(_ request: Request) -> Bool? {
        guard let given = request.params[parameter], !given.isEmpty else { return false }
        switch given.lowercased() {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default: return nil
        }
    }
}
