/// The session's `authenticatedAt`: when the user signed in at the provider,
/// on this server's clock wherever the login shows it.
enum SignInTime {
    /// An `auth_time` no earlier than the login's start (less the skew) is a
    /// sign-in during this very login, which happened between its start and
    /// now on this server's clock: clamping it there keeps a provider clock that
    /// is a little ahead or behind from making a fresh sign-in look stale (or a
    /// stale one fresh). An older `auth_time` is a provider session re-used, taken
    /// as it is but never later than now.
    static func onServerClock(authTime: Int64?, loginStartedAt: Int64, now: Int64, clockSkewSeconds: Int64) -> Int64? {
        guard let authTime else { return nil }
        if authTime >= loginStartedAt - clockSkewSeconds { return min(max(authTime, loginStartedAt), now) }
        return min(authTime, now)
    }
}
