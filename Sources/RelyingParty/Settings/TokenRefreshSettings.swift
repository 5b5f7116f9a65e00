/// How a session's access token is kept fresh for the locations that hand it
/// to the application (`OIDC_PASS_ACCESS_TOKEN`).
public struct TokenRefreshSettings: Sendable {
    /// A token that expires within this many seconds is refreshed before it is
    /// handed on (`session.refresh_margin`), so the application never gets one
    /// that dies while it uses it.
    public var marginSeconds: Int64
    /// Life of the per-session refresh lock in the store: longer than one call to
    /// the provider may take (`http.timeout`), so no second request refreshes
    /// while the first still waits; short, so a crashed holder blocks briefly.
    public var lockSeconds: Int
    /// How long a request that did not get the lock waits for the holder's result
    /// before it answers 503.
    public var waitMilliseconds: Int
    /// Pause between two looks at the store while waiting.
    public var pollMilliseconds: Int

    public init(marginSeconds: Int64 = 60, lockSeconds: Int = 7, waitMilliseconds: Int = 2500, pollMilliseconds: Int = 100) {
        self.marginSeconds = marginSeconds
        self.lockSeconds = lockSeconds
        self.waitMilliseconds = waitMilliseconds
        self.pollMilliseconds = pollMilliseconds
    }

    /// The lock outlives a whole provider call of `httpTimeoutMilliseconds`, with
    /// two seconds for the store's whole-second TTLs.
    public static func lockSeconds(forHTTPTimeoutMilliseconds timeout: Int) -> Int {
        (timeout + 999) / 1000 + 2
    }
}
