// Login-state cookie decoding at the redirect URI and at login start.
// Mode 0: the input is the whole Cookie header. Otherwise the input is a
// login state's JSON, sealed under its cookie name as a real one would be.
import FuzzSupport
import JOSE
import RelyingParty

let state = "c3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3R"
let cookies = LoginStateCookies(secrets: [fuzzSecret], cookie: CookieSettings(), login: LoginSettings(), random: CountingRandom())
let cookieName = cookies.cookieName(forState: state)!
let sealer = Sealer(secrets: [fuzzSecret], purpose: "login-state", random: CountingRandom())
let fresh = LoginState(state: state, nonce: "n", codeVerifier: "v", returnTo: "/", provider: "main", createdAt: 1_800_000_000)

Fuzzer.run { bytes in
    let (mode, rest) = FuzzInput(bytes).selector
    let header = mode == 0
        ? FuzzInput(rest).text
        : "other=1; \(cookieName.text)=\(Base64URL.encode(sealer.seal(rest, context: cookieName.text)))"
    let request = Request(params: ["HTTP_COOKIE": header])
    if let found = cookies.find(state: state, in: request) {
        precondition(found.state == state, "a login state for another state was accepted")
    }
    let headers = cookies.issue(fresh, existing: request, now: 1_800_000_000)
    precondition(headers.count <= LoginStateCookies.maxDeletionsPerAnswer + 1, "one answer carries too many Set-Cookie headers")
}
