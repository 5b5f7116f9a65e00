import Foundation
import JOSE

/// The login-state cookies: one per pending login, named `<prefix><state>`,
/// sealed with the configured secrets, expiring after the login timeout, and
/// capped in number so abandoned logins never grow the Cookie header.
/// Only names made of the prefix and a well-formed state are ever read or
/// written, and one answer deletes at most `maxDeletionsPerAnswer` of them, so
/// a Cookie header full of junk can neither reshape nor inflate the answer.
public struct LoginStateCookies: Sendable {
    /// Deletion Set-Cookie headers one answer may carry; more stale cookies
    /// are left to their Max-Age or to the next login.
    public static let maxDeletionsPerAnswer = 4

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

    /// The cookie of `state`, or nil when `state` is not of the shape oidc-fcgi issues.
    public func cookieName(forState state: String) -> CookieName? {
        guard LoginState.isWellFormedState(state) else { return nil }
        return CookieName(validating: cookie.statePrefix + state)
    }

    /// Set-Cookie headers that store `state` and drop what must go: the oldest
    /// pending logins beyond the cap first, then expired or unreadable state
    /// cookies, at most `maxDeletionsPerAnswer` in all.
    public func issue(_ state: LoginState, existing request: Request, now: Int64) -> [Response.Header] {
        var stale: [CookieName] = []
        var pending: [(name: CookieName, createdAt: Int64)] = []
        for (name, value) in request.allCookies where name.hasPrefix(cookie.statePrefix) {
            guard let cookieName = cookieName(forState: String(name.dropFirst(cookie.statePrefix.count))) else { continue }
            if let old = read(name: cookieName, value: value), now - old.createdAt < login.timeoutSeconds {
                pending.append((cookieName, old.createdAt))
            } else {
                stale.append(cookieName)
            }
        }
        pending.sort { $0.createdAt < $1.createdAt }
        let excess = max(0, pending.count - (login.maxPending - 1))
        let doomed = pending.prefix(excess).map(\.name) + stale
        var headers = doomed.prefix(Self.maxDeletionsPerAnswer).map { setCookie.delete($0) }
        guard let name = cookieName(forState: state.state) else {
            assertionFailure("login state issued with a malformed state")
            return headers
        }
        let value = Base64URL.encode(sealer.seal(state.encodedJSON, context: name.text))
        headers.append(setCookie.set(name, value: value, maxAge: login.timeoutSeconds))
        return headers
    }

    /// The login state for `state` carried by the request, if it is ours and intact.
    /// Expiry is checked by the caller, which needs to tell "expired" apart.
    public func find(state: String, in request: Request) -> LoginState? {
        guard let name = cookieName(forState: state) else { return nil }
        for value in request.cookies(named: name.text) {
            if let found = read(name: name, value: value), found.state == state { return found }
        }
        return nil
    }

    /// The header that clears the cookie of `state`; nil for a malformed state,
    /// which has no cookie of ours.
    public func deletion(forState state: String) -> Response.Header? {
        cookieName(forState: state).map { setCookie.delete($0) }
    }

    /// Headers that clear the login-state cookies the request carries (at most
    /// `maxDeletionsPerAnswer`): for a login the user cancelled, whose state is unknown.
    public func deletionOfAll(in request: Request) -> [Response.Header] {
        var names: [CookieName] = []
        for (name, _) in request.allCookies where name.hasPrefix(cookie.statePrefix) {
            if let cookieName = cookieName(forState: String(name.dropFirst(cookie.statePrefix.count))), !names.contains(cookieName) { names.append(cookieName) }
        }
        return names.prefix(Self.maxDeletionsPerAnswer).map { setCookie.delete($0) }
    }

    private func read(name: CookieName, value: String) -> LoginState? {
        guard let sealed = Base64URL.decode(value), let plain = sealer.open(sealed, context: name.text) else { return nil }
        return try? JSONDecoder().decode(LoginState.self, from: Data(plain))
    }
}
