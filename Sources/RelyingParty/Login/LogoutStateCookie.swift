import Foundation
import JOSE

/// What a logout sent to the provider remembers for the way back: the `state`
/// sent in the end-session request and where to land afterwards. One sealed
/// cookie, `<state_prefix>logout`, valid for the login timeout; the state
/// prefix keeps it out of the application's Cookie header as well.
public struct LogoutStateCookie: Sendable {
    public struct Pending: Codable, Sendable, Equatable {
        public var state: String
        public var returnTo: String
        public var createdAt: Int64

        enum CodingKeys: String, CodingKey { case state = "s", returnTo = "r", createdAt = "t" }
    }

    public let name: CookieName
    private let sealer: Sealer
    private let setCookie: SetCookie
    private let lifetimeSeconds: Int64

    public init(secrets: [[UInt8]], cookie: CookieSettings, login: LoginSettings, random: any RandomSource) {
        guard let name = CookieName(validating: cookie.statePrefix + "logout") else {
            preconditionFailure("cookie.state_prefix is validated when the configuration is read")
        }
        self.name = name
        sealer = Sealer(secrets: secrets, purpose: "logout-state", random: random)
        setCookie = SetCookie(settings: cookie)
        lifetimeSeconds = login.timeoutSeconds
    }

    public func issue(_ pending: Pending) -> Response.Header {
        let encoded = (try? JSONEncoder().encode(pending)).map { Array($0) } ?? []
        return setCookie.set(name, value: Base64URL.encode(sealer.seal(encoded, context: name.text)), maxAge: lifetimeSeconds)
    }

    /// The pending logout whose state is `state`, if the request carries it intact and in time.
    public func find(state: String, in request: Request, now: Int64) -> Pending? {
        for value in request.cookies(named: name.text) {
            guard let sealed = Base64URL.decode(value), let plain = sealer.open(sealed, context: name.text),
                  let pending = try? JSONDecoder().decode(Pending.self, from: Data(plain)) else { continue }
            if pending.state == state, now - pending.createdAt <= lifetimeSeconds, now >= pending.createdAt - 60 { return pending }
        }
        return nil
    }

    public var deletion: Response.Header { setCookie.delete(name) }
}
