/// Authorization request parameters one location adds to its logins
/// (`OIDC_AUTH_PARAMS`, nginx `set $oidc_auth_params "prompt=login&ui_locales=de";`),
/// as `application/x-www-form-urlencoded` text. Only parameters that shape the
/// provider's sign-in page are allowed; the protocol's own (`state`,
/// `redirect_uri`…) and those checked in the ID token (`max_age`, `acr_values`,
/// which have parameters of their own) are not, so a location cannot weaken a login.
enum LocationAuthorizationParameters {
    static let parameter = "OIDC_AUTH_PARAMS"
    static let allowed: Set<String> = ["prompt", "login_hint", "ui_locales", "claims_locales", "display", "resource", "id_token_hint", "domain_hint"]
    static let maxBytes = 2048

    enum Malformed: Error, CustomStringConvertible {
        case tooLong
        case notAllowed(String)
        case repeated(String)
        case badValue(String)

        var description: String {
            switch self {
            case .tooLong: return "OIDC_AUTH_PARAMS is longer than \(LocationAuthorizationParameters.maxBytes) bytes"
            case .notAllowed(let name):
                return "OIDC_AUTH_PARAMS may not set \(String(name.prefix(40)).debugDescription); allowed: \(LocationAuthorizationParameters.allowed.sorted().joined(separator: ", "))"
            case .repeated(let name): return "OIDC_AUTH_PARAMS sets \(String(name.prefix(40)).debugDescription) twice"
            case .badValue(let name): return "OIDC_AUTH_PARAMS has a control character in \(String(name.prefix(40)).debugDescription)"
            }
        }
    }

    static func of(_ request: Request) throws(Malformed) -> [(String, String)] {
        guard let text = request.params[parameter], !text.isEmpty else { return [] }
        guard text.utf8.count <= maxBytes else { throw .tooLong }
        var seen: Set<String> = []
        var out: [(String, String)] = []
        for (name, value) in FormEncoding.decode(text) {
            guard allowed.contains(name) else { throw .notAllowed(name) }
            guard seen.insert(name).inserted else { throw .repeated(name) }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { throw .badValue(name) }
            out.append((name, value))
        }
        return out
    }
}
