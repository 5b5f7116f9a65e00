import Foundation
import JOSE

/// The login-state cookies: one per pending login, named `<prefix><state>`,
/// sealed with the configured secrets, expiring after the login timeout, and
/// capped in number so abandoned logins never grow the Cookie header.
public struct LoginStateCookies: Sendable {
    private let sealer: Sealer
    private let cookie: CookieSettings
    private let setCookie: SetCookie
    private let login: LoginSettings

    public init(secrets: [[UInt8]], cookie: CookieSettings, login: LoginSettings, random: any RandomSource) {
        sealer = Sealer(secrets: secrets, purpose: "login-state", random: random)
        self.cookie = cookie
        setCookie = SetCookie(settings: cookie)
        self.login = login
    }

    public func cookieName(forState state: String) -> String { cookie.statePrefix + state }

    /// Set-Cookie values that store `state` and drop what must go: expired or
    /// unreadable state cookies, and the oldest pending ones beyond the cap.
    public func issue(_ state: LoginState, existing request: Request, now: Int64) -> [String] {
        var headers: [String] = []
        var pending: [(name: String, createdAt: Int64)] = []
        for (name, value) in request.allCookies where name.hasPrefix(cookie.statePrefix) {
            if let old = read(name: name, value: value), now - old.createdAt < login.timeoutSeconds {
                pending.append((name, old.createdAt))
            } else {
                headers.append(setCookie.delete(name: name))
            }
        }
        pending.sort { $0.createdAt < $1.createdAt }
        let excess = pending.count - (login.maxPending - 1)
        if excess > 0 {
            for old in pending.prefix(excess) { headers.append(setCookie.delete(name: old.name)) }
        }
        let name = cookieName(forState: state.state)
        let encoded = (try? JSONEncoder().encode(state)).map { Array($0) } ?? []
        let value = Base64URL.encode(sealer.seal(encoded, context: name))
        headers.append(setCookie.set(name: name, value: value, maxAge: login.timeoutSeconds))
        return headers
    }

    /// The login state for `state` carried by the request, if it is ours and intact.
    /// Expiry is checked by the caller, which needs to tell "expired" apart.
    public func find(state: String, in request: Request) -> LoginState? {
        let name = cookieName(forState: state)
        for value in request.cookies(named: name) {
            if let found = read(name: name, value: value), found.state == state { return found }
        }
        return nil
    }

    public func deletion(forState state: String) -> String { setCookie.delete(name: cookieName(forState: state)) }

    private func read(name: String, value: String) -> LoginState? {
        guard let sealed = Base64URL.decode(value), let plain = sealer.open(sealed, context: name) else { return nil }
        return try? JSONDecoder().decode(LoginState.self, from: Data(plain))
    }
}
