import Benchmark
import FastCGIServer
import Foundation
import RelyingParty

// The auth check every protected page view costs, in process. Each measured
// iteration runs the operation `scalingFactor` (1000) times, so the timings
// and malloc counts in the table are per call (`*` in the column header).
//
// "Time (total CPU)" is the library's: read from /proc in clock ticks (10 ms),
// so per call it moves in steps of 10 µs. "CPU time (ns)" is the process CPU
// clock read around the same inner loop, to the nanosecond.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, processCPU, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(8),
        maxIterations: 400)

    let fixture = Fixture()
    let sessions = fixture.context.sessions
    let cookie = fixture.sessionCookie
    let allowRequest = fixture.authRequest(withSession: true)
    let anonymousRequest = fixture.authRequest(withSession: false)
    let loginRequest = fixture.authRequest(withSession: false, carryingLogin: true)
    let staleRequest = Request(params: AuthSubrequest.params(cookie: AuthSubrequest.cookieHeader(session: staleCookie(of: cookie))))
    checkTheMeasuredPath(fixture, allow: allowRequest, anonymous: anonymousRequest, stale: staleRequest, login: loginRequest)

    // 1. Finding a valid session by its cookie: parse the cookie, one getMany of
    //    the record and its logout-group entries, open the sealed record, decode
    //    it, check the groups and the expiry. No store write (no touch due).
    Benchmark("SessionManager.lookup (valid session)") { benchmark in
        measuringCPU(benchmark) {
            for _ in benchmark.scaledIterations {
                blackHole(try? sessions.lookup(cookieValue: cookie))
            }
        }
    }

    // 2. The auth answer as the server gives it: Responder.respond for the
    //    auth_request subrequest of a browser with a valid session: the lookup
    //    above plus the location's parameters, the identity headers and the
    //    Cookie header handed back without the session cookie. 200.
    Benchmark("Responder.respond auth 200 (valid session)") { benchmark in
        measuringCPU(benchmark) {
            for _ in benchmark.scaledIterations {
                blackHole(fixture.responder.respond(allowRequest))
            }
        }
    }

    // The same subrequest from a browser with no session cookie: 401.
    Benchmark("Responder.respond auth 401 (no session cookie)") { benchmark in
        measuringCPU(benchmark) {
            for _ in benchmark.scaledIterations {
                blackHole(fixture.responder.respond(anonymousRequest))
            }
        }
    }

    // The same through the shipped include files: the 401 carries the login
    //    redirect (state, nonce and PKCE drawn, the login state sealed into its
    //    cookie, the authorization URL written), which nginx then sends itself.
    Benchmark("Responder.respond auth 401 (login redirect carried)") { benchmark in
        measuringCPU(benchmark) {
            for _ in benchmark.scaledIterations {
                blackHole(fixture.responder.respond(loginRequest))
            }
        }
    }

    // A session cookie that is well formed but names no session (logged out,
    // expired from the store): one store read, then 401.
    Benchmark("Responder.respond auth 401 (unknown session)") { benchmark in
        measuringCPU(benchmark) {
            for _ in benchmark.scaledIterations {
                blackHole(fixture.responder.respond(staleRequest))
            }
        }
    }

    // 3. The request as libfcgi hands it over ("NAME=value" C strings) read
    //    into the parameter dictionary a Request is made of.
    let environment = CEnvironment(AuthSubrequest.params(cookie: AuthSubrequest.cookieHeader(session: cookie)))
    Benchmark("FastCGIParameters.dictionary (auth subrequest)") { benchmark in
        measuringCPU(benchmark) {
            for _ in benchmark.scaledIterations {
                blackHole(environment.withPointer { FastCGIParameters.dictionary(from: $0) })
            }
        }
    }
}

/// CPU time of the process in nanoseconds (`CLOCK_PROCESS_CPUTIME_ID`), per call once scaled.
let processCPU = BenchmarkMetric.custom("CPU time (ns)", polarity: .prefersSmaller, useScalingFactor: true)

/// Runs one iteration's inner loop and records the CPU time it took.
private func measuringCPU(_ benchmark: Benchmark, _ body: () -> Void) {
    let start = processCPUNanoseconds()
    body()
    benchmark.measurement(processCPU, processCPUNanoseconds() - start)
}

private func processCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// The cookie with another random part: well formed, same group tags, no record.
private func staleCookie(of cookie: String) -> String {
    var parts = cookie.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    parts[0] = String(repeating: "A", count: parts[0].count - 1) + "E"
    return parts.joined(separator: ".")
}

/// Fails the run before anything is measured if the benchmarks would not
/// measure what they say: a valid session, a 200 with the identity, 401s,
/// and neither a store write nor a provider call on the way.
private func checkTheMeasuredPath(_ fixture: Fixture, allow: Request, anonymous: Request, stale: Request, login: Request) {
    let writesBefore = fixture.store.writes
    guard case .valid(let record)? = try? fixture.context.sessions.lookup(cookieValue: fixture.sessionCookie),
          record.user == RealisticSession.user
    else { fatalError("the benchmark session is not found valid") }

    let allowed = fixture.responder.respond(allow)
    guard allowed.status == 200, allowed.header("X-Remote-User") == RealisticSession.user,
          allowed.header("X-Remote-Email") == "jane.doe@example.com",
          allowed.header("X-Remote-Issuer") == RealisticSession.issuer,
          let upstream = allowed.header("OIDC-Upstream-Cookie"), !upstream.contains("oidc_session"), upstream.contains("theme=dark")
    else { fatalError("the auth answer for the session is not the expected 200: \(allowed.status) \(allowed.headers)") }

    let refused = fixture.responder.respond(anonymous)
    guard refused.status == 401 else { fatalError("the auth answer without a session is \(refused.status), not 401") }
    let carried = fixture.responder.respond(login)
    guard carried.status == 401, carried.header("OIDC-Login-Location")?.hasPrefix(RealisticSession.issuer) == true,
          carried.header("OIDC-Login-Cookie-1") != nil
    else { fatalError("the auth answer without a session does not carry the login redirect: \(carried.status) \(carried.headers)") }
    let unknown = fixture.responder.respond(stale)
    guard unknown.status == 401 else { fatalError("the auth answer for an unknown session is \(unknown.status), not 401") }

    guard fixture.store.writes == writesBefore else { fatalError("the measured path writes to the store") }
    guard fixture.transport.calls == 0 else { fatalError("the measured path calls the provider") }
    let sizes = (RealisticSession.idToken.utf8.count, RealisticSession.accessToken.utf8.count, RealisticSession.refreshToken.utf8.count)
    guard (800...1100).contains(sizes.0), (700...1000).contains(sizes.1), (400...800).contains(sizes.2) else {
        fatalError("token sizes drifted from the realistic ones: \(sizes)")
    }
}

/// A NULL-terminated array of "NAME=value" C strings, as libfcgi's `envp`.
final class CEnvironment {
    private let strings: [UnsafeMutablePointer<CChar>]
    private var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ params: [String: String]) {
        strings = params.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)")! }
        pointers = strings + [nil]
    }

    deinit { strings.forEach { free($0) } }

    func withPointer<T>(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
