import Foundation
import RelyingParty
import Synchronization

/// A provider's discovery and JWKS documents served from memory, for the metadata
/// cache's tests: the key set can be swapped (rotation), every endpoint can be
/// made to fail, and calls can be held until the test lets them go (a hanging
/// provider). Counts the requests per URL.
final class ScriptedProvider: HTTPTransport {
    let issuer = "https://idp.example"
    var discoveryURL: String { issuer + "/.well-known/openid-configuration" }
    var jwksURL: String { issuer + "/jwks" }

    private struct State {
        var jwks: [UInt8] = Array("{\"keys\":[]}".utf8)
        var failing = false
        var counts: [String: Int] = [:]
    }
    private let state = Mutex<State>(State())
    let hold = Hold()

    var jwks: [UInt8] {
        get { state.withLock { $0.jwks } }
        set { state.withLock { $0.jwks = newValue } }
    }
    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }
    func count(_ url: String) -> Int { state.withLock { $0.counts[url] ?? 0 } }
    var discoveryCount: Int { count(discoveryURL) }
    var jwksCount: Int { count(jwksURL) }

    func settings(metadataRefreshSeconds: Int64 = 3600) -> ProviderSettings {
        ProviderSettings(name: "corp", issuer: issuer, clientID: "client-1", clientSecret: "secret", metadataRefreshSeconds: metadataRefreshSeconds)
    }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        state.withLock { $0.counts[request.url, default: 0] += 1 }
        hold.passOrWait()
        let (failing, jwks) = state.withLock { ($0.failing, $0.jwks) }
        if failing { throw .unreachable(url: request.url, reason: "connection refused") }
        switch request.url {
        case discoveryURL:
            return InboundResponse(status: 200, body: Array("""
            {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/authorize","token_endpoint":"\(issuer)/token","jwks_uri":"\(jwksURL)"}
            """.utf8))
        case jwksURL:
            return InboundResponse(status: 200, body: jwks)
        default:
            return InboundResponse(status: 404, body: [])
        }
    }
}

/// Holds calls while closed, like a provider that accepts and does not answer.
/// Every wait is bounded (5 s) so a failing test cannot hang.
final class Hold: Sendable {
    private let closed = Atomic<Bool>(false)
    private let waiting = Atomic<Int>(0)

    func close() { closed.store(true, ordering: .sequentiallyConsistent) }
    /// Lets every waiting call go, and the later ones through.
    func open() { closed.store(false, ordering: .sequentiallyConsistent) }

    var waitingCount: Int { waiting.load(ordering: .sequentiallyConsistent) }

    func passOrWait() {
        guard closed.load(ordering: .sequentiallyConsistent) else { return }
        waiting.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer { waiting.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
        _ = eventually(within: 5) { !closed.load(ordering: .sequentiallyConsistent) }
    }
}

/// Background work queued until the test runs it.
final class ManualRunner: BackgroundRunner {
    private let queued = Mutex<[@Sendable () -> Void]>([])

    var pending: Int { queued.withLock { $0.count } }

    func run(_ work: @escaping @Sendable () -> Void) { queued.withLock { $0.append(work) } }

    func runAll() {
        let work = queued.withLock { all in
            defer { all.removeAll() }
            return all
        }
        for item in work { item() }
    }
}

/// Polls `condition` for at most `seconds`; true as soon as it holds.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(2000)
    }
    return condition()
}

/// Holds the calls to URLs ending in `suffix` while `hold` is closed; passes everything else on.
final class HoldingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let suffix: String
    let hold = Hold()

    init(_ inner: any HTTPTransport, holding suffix: String) {
        self.inner = inner
        self.suffix = suffix
    }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        if request.url.hasSuffix(suffix) { hold.passOrWait() }
        return try inner.perform(request)
    }
}
