import JOSE

/// The identity headers of an allow answer: the user header, the issuer of the
/// provider that authenticated the user (`headers.issuer`) and every mapped
/// claim, always all of them (empty when a claim is absent) so the web server
/// overwrites anything the client sent under those names. Bounded in size so
/// the answer always fits the web server's FastCGI buffer: a claim value over
/// `maxValueBytes` is sent empty, and while the whole set is over
/// `maxTotalBytes` the largest claim values are sent empty; a user value that
/// cannot be sent in full is refused (the request is denied, never passed with
/// a truncated or missing user).
public struct IdentityHeaders: Sendable {
    public struct Answer: Sendable, Equatable {
        public var headers: [Response.Header]
        /// Headers sent empty because their value did not fit, with the value's size.
        public var omitted: [(header: HeaderName, bytes: Int)]

        public static func == (a: Answer, b: Answer) -> Bool {
            a.headers == b.headers && a.omitted.map(\.header) == b.omitted.map(\.header) && a.omitted.map(\.bytes) == b.omitted.map(\.bytes)
        }
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case userTooLarge(header: HeaderName, bytes: Int, limit: Int)

        public var description: String {
            switch self {
            case .userTooLarge(let header, let bytes, let limit):
                return "the user name for \(header) is \(bytes) bytes and cannot be sent within \(limit) bytes (headers.max_value_bytes, headers.max_total_bytes); denying"
            }
        }
    }

    private let settings: HeaderSettings

    public init(settings: HeaderSettings) { self.settings = settings }

    /// Names of the headers every allow answer sets, in order.
    public var names: [HeaderName] { [settings.userHeader] + issuerHeaders + settings.claimHeaders.map(\.header) }

    /// The issuer header, when enabled, as a list to prepend.
    private var issuerHeaders: [HeaderName] { settings.issuerHeader.map { [$0] } ?? [] }

    /// Every header an allow answer sets, each empty: the answer for a
    /// `pass` location without a session, so a client-sent value never
    /// reaches the application.
    public var anonymous: Answer {
        Answer(headers: names.map { Response.Header($0, "") }, omitted: [])
    }

    /// `issuer`: of the provider the session belongs to (several may open one location).
    public func headers(for session: SessionRecord, issuer: String) throws(Refusal) -> Answer {
        try assemble(user: session.user, values: issuerValue(issuer) + settings.claimHeaders.map { ($0.header, session.claims[$0.claim]?.headerText ?? "") })
    }

    private func issuerValue(_ issuer: String) -> [(HeaderName, String)] {
        settings.issuerHeader.map { [($0, issuer)] } ?? []
    }

    /// An API answer: the user, the token's client and scopes, then the mapped claims.
    /// The client and scope headers are always set too (empty when unknown), so a
    /// client-sent value never reaches the application.
    public func headers(for token: AccessTokenIdentity, user: String, issuer: String) throws(Refusal) -> Answer {
        var values: [(HeaderName, String)] = issuerValue(issuer) + [
            (settings.clientIDHeader, token.clientID ?? ""), (settings.scopeHeader, token.scopes.joined(separator: " ")),
        ]
        values += settings.claimHeaders.map { ($0.header, token.claims[$0.claim]?.headerText ?? "") }
        return try assemble(user: user, values: values)
    }

    /// The user header in full or a refusal; every other value sent empty when it
    /// does not fit, largest first.
    private func assemble(user rawUser: String, values named: [(HeaderName, String)]) throws(Refusal) -> Answer {
        let user = encode(rawUser)
        guard user.utf8.count <= settings.maxValueBytes else {
            throw .userTooLarge(header: settings.userHeader, bytes: user.utf8.count, limit: settings.maxValueBytes)
        }
        var values: [String] = []
        values.reserveCapacity(named.count)
        var omitted: [(header: HeaderName, bytes: Int)] = []
        var total = Self.lineBytes(settings.userHeader, user)
        for (header, raw) in named {
            var value = encode(raw)
            if value.utf8.count > settings.maxValueBytes {
                omitted.append((header, value.utf8.count))
                value = ""
            }
            total += Self.lineBytes(header, value)
            values.append(value)
        }
        while total > settings.maxTotalBytes {
            guard let largest = values.indices.max(by: { values[$0].utf8.count < values[$1].utf8.count }), !values[largest].isEmpty else {
                throw .userTooLarge(header: settings.userHeader, bytes: user.utf8.count, limit: settings.maxTotalBytes)
            }
            omitted.append((named[largest].0, values[largest].utf8.count))
            total -= values[largest].utf8.count
            values[largest] = ""
        }
        var out: [Response.Header] = []
        out.reserveCapacity(1 + values.count)
        out.append(Response.Header(settings.userHeader, user))
        for ((header, _), value) in zip(named, values) {
            out.append(Response.Header(header, value))
        }
        return Answer(headers: out, omitted: omitted)
    }

    /// "Name: value\r\n" on the wire.
    static func lineBytes(_ name: HeaderName, _ value: String) -> Int { name.text.utf8.count + value.utf8.count + 4 }

    /// Removes CR, LF, NUL and other control characters, then applies the configured encoding.
    public func encode(_ value: String) -> String {
        // The common case: printable text with nothing to escape is sent as it is.
        if settings.encoding != .base64url,
           value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && (settings.encoding == .raw || ($0 < 0x80 && $0 != UInt8(ascii: "%"))) }) {
            return value
        }
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
            return PercentEncoding.encode(clean) { $0 < 0x80 && $0 != UInt8(ascii: "%") }
        }
    }
}
