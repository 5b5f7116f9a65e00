// The Cookie request header: parsing, lookup by name, the upstream filter
// that strips our cookies, and the session id read from a cookie value.
import FuzzSupport
import RelyingParty

let settings = CookieSettings(name: "oidc_session", statePrefix: "oidc_state_")
let upstream = UpstreamCookies(settings: settings)

Fuzzer.run { bytes in
    let header = FuzzInput(bytes).text
    let pairs = CookieHeader.parse(header)
    for (name, value) in pairs {
        precondition(!name.isEmpty, "a parsed cookie has an empty name")
        _ = SessionID(cookieValue: value)
    }
    _ = CookieHeader.values(named: "oidc_session", in: header)
    if let filtered = upstream.filter(header) {
        // What reaches the application never carries our cookies.
        for (name, _) in CookieHeader.parse(filtered) {
            precondition(name != settings.name && !name.hasPrefix(settings.statePrefix), "upstream cookie filter let \(name) through")
        }
    }
}
