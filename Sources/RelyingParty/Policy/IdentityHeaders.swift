import JOSE

/// The identity headers of an allow answer: the user header and every mapped
/// claim, always all of them (empty when a claim is absent) so the web server
/// overwrites anything the client sent under those names.
public struct IdentityHeaders: Sendable {
    private let settings: HeaderSettings

    public init(settings: HeaderSettings) { self.settings = settings }

    public func headers(for session: SessionRecord) -> [Response.Header] {
        var out: [Response.Header] = []
        out.reserveCapacity(1 + settings.claimHeaders.count)
        out.append(Response.Header(settings.userHeader, encode(session.user)))
        for mapping in settings.claimHeaders {
            out.append(Response.Header(mapping.header, encode(session.claims[mapping.claim]?.headerText ?? "")))
        }
        return out
    }

    /// Removes CR, LF, NUL and other control characters, then applies the configured encoding.
    public func encode(_ value: String) -> String {
        var clean: [UInt8] = []
        clean.reserveCapacity(value.utf8.count)
        for byte in value.utf8 where byte >= 0x20 && byte != 0x7F { clean.append(byte) }
        switch settings.encoding {
        case .raw:
            return String(decoding: clean, as: UTF8.self)
        case .base64url:
            return Base64URL.encode(clean)
        case .percent:
            guard clean.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "%") }) else {
                return String(decoding: clean, as: UTF8.self)
            }
            let digits = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(clean.count * 2)
            for byte in clean {
                if byte >= 0x80 || byte == UInt8(ascii: "%") {
                    out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
                } else {
                    out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
