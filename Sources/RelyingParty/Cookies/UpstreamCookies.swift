/// The Cookie header the application should see: the client's, without every
/// cookie that belongs to oidc-fcgi (the session cookie, however often it is
/// repeated, and the login-state cookies). The auth answer hands it to the web
/// server, which sends it upstream in place of the original header; the site's
/// own cookies pass unchanged, byte for byte.
public struct UpstreamCookies: Sendable {
    /// The longest Cookie header passed on (nginx's default limit for one request header line).
    public static let maxBytes = 8192

    private let sessionCookie: String
    private let statePrefix: String

    public init(settings: CookieSettings) {
        sessionCookie = settings.name
        statePrefix = settings.statePrefix
    }

    /// The filtered header ("" when nothing is left), or nil when it exceeds `maxBytes`.
    /// A part's name is what precedes its '=' (the whole part when it has none),
    /// without surrounding spaces and tabs.
    public func filter(_ header: String) -> String? {
        guard !header.isEmpty else { return "" }
        var session = sessionCookie, state = statePrefix, header = header
        let result: String? = session.withUTF8 { session in
            state.withUTF8 { state in
                header.withUTF8 { bytes -> String? in
                    var kept: [Range<Int>] = []
                    var removed = false
                    CookieHeader.forEachPart(of: bytes) { part in
                        let nameEnd = bytes[part].firstIndex(of: UInt8(ascii: "=")) ?? part.upperBound
                        let name = bytes[CookieHeader.trimmed(bytes, part.lowerBound..<nameEnd)]
                        if name.elementsEqual(session) || name.starts(with: state) {
                            removed = true
                        } else {
                            kept.append(part)
                        }
                    }
                    // Nothing removed: the header as it came, byte for byte.
                    guard removed else { return nil }
                    var out: [UInt8] = []
                    out.reserveCapacity(bytes.count)
                    for part in kept {
                        if !out.isEmpty { out += [UInt8(ascii: ";"), UInt8(ascii: " ")] }
                        out += bytes[part]
                    }
                    return String(decoding: out, as: UTF8.self)
                }
            }
        }
        let passed = result ?? header
        return passed.utf8.count <= Self.maxBytes ? passed : nil
    }
}
