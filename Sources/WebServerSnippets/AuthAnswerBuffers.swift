import RelyingParty

/// nginx's FastCGI buffers for the auth subrequest. nginx must hold the whole
/// answer header in `fastcgi_buffer_size`, else it fails the request: the
/// identity headers (at most `headers.max_total_bytes`), the Cookie header
/// handed back for the application, the access token where asked for, and
/// room for the status line and the other short headers.
struct AuthAnswerBuffers: Sendable, Equatable {
    static let otherHeadersBytes = 8 * 1024
    /// One of `fastcgi_buffers`.
    static let bufferKiB = 16

    /// `fastcgi_buffer_size`, in KiB.
    let headerKiB: Int
    /// How many `fastcgi_buffers`: nginx requires its busy buffers (twice the
    /// header buffer by default) to stay below all the buffers but one.
    let bufferCount: Int

    init(maxIdentityBytes: Int) {
        let needed = maxIdentityBytes + AuthAnswerLimits.upstreamCookieBytes + AuthAnswerLimits.accessTokenBytes
        headerKiB = (needed + 1023) / 1024 + Self.otherHeadersBytes / 1024
        bufferCount = max(8, (2 * headerKiB + Self.bufferKiB - 1) / Self.bufferKiB + 2)
    }
}
