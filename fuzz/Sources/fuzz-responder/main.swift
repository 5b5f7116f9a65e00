// Whole requests through the Responder, the way nginx hands them over: the
// FastCGI parameters (NUL-separated NAME=value fields) and, after an empty
// field, the body. One valid session exists. Whatever the request, the answer
// never carries a bad header and is never a 200 without that session.
import Foundation
import FuzzSupport
import Logging
import RelyingParty

let origin = Origin("https://app.example.com")!
let secrets = [fuzzSecret]
let metadata = ProviderMetadata(
    issuer: FixtureProvider.issuer, authorizationEndpoint: "https://idp.example.com/auth", tokenEndpoint: "https://idp.example.com/token",
    userinfoEndpoint: "https://idp.example.com/userinfo", jwksURI: "https://idp.example.com/jwks",
    endSessionEndpoint: "https://idp.example.com/logout", idTokenSigningAlgorithms: ["RS256"], codeChallengeMethods: ["S256"])
let settings = Settings(
    publicOrigin: origin, session: SessionSettings(secrets: secrets),
    providers: [ProviderSettings(name: "main", issuer: FixtureProvider.issuer, clientID: FixtureProvider.clientID,
                                 clientSecret: FixtureProvider.clientSecret, staticMetadata: metadata)],
    allowedReturnOrigins: [Origin("https://partner.example.com")!])
// The session belongs to one logout group (its user), whose entry holds generation "g".
let userGroup = SessionGroup(.user, provider: "main", value: "248289761001", secret: fuzzSecret)
let sessionCookie = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8." + userGroup.tag

/// The provider's answers: its keys, and a token response holding a real (if
/// not matching) ID token, so the callback gets as far as validation.
struct FixtureTransport: HTTPTransport {
    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        switch request.url {
        case metadata.jwksURI: return InboundResponse(status: 200, body: Array(FixtureProvider.jwks.utf8))
        case metadata.tokenEndpoint:
            return InboundResponse(status: 200, body: Array(#"{"id_token":"\#(FixtureProvider.sampleToken)","access_token":"at","token_type":"Bearer"}"#.utf8))
        default: return InboundResponse(status: 200, body: Array(#"{"sub":"248289761001"}"#.utf8))
        }
    }
}

var logger = Logger(label: "fuzz")
logger.logLevel = .critical
let quietLogger = logger

Fuzzer.run { bytes in
    let fields = FuzzInput(bytes).fields
    let split = fields.firstIndex(of: []) ?? fields.count
    var params: [String: String] = [:]
    for field in fields[..<split] {
        guard let equals = field.firstIndex(of: UInt8(ascii: "=")) else { continue }
        params[String(decoding: field[..<equals], as: UTF8.self)] = String(decoding: field[(equals + 1)...], as: UTF8.self)
    }
    let body = split < fields.count ? Array(fields[(split + 1)...].joined(separator: [0])) : []

    let store = DictionaryStore()
    let context = RelyingPartyContext(settings: settings, store: store, http: FixtureTransport(), clock: FixedClock(1_800_000_000),
                                      random: CountingRandom(), logger: quietLogger)
    let record = SessionRecord(provider: "main", subject: "248289761001", providerSessionID: nil, user: "jane", claims: ["email": .string("jane@example.com")],
                               idToken: FixtureProvider.sampleToken, accessToken: nil, refreshToken: nil, accessTokenExpiresAt: nil,
                               createdAt: 1_799_999_000, lastSeenAt: 1_799_999_900, expiresAt: 1_800_020_000, groupGenerations: ["g"])
    let sealed = Sealer(secrets: secrets, purpose: "session", random: CountingRandom())
    let key = SessionID(cookieValue: sessionCookie)!.storeKey
    try? store.set(key, value: sealed.seal(SessionRecordCodec.encode(record), context: key), ttlSeconds: 3600)
    try? store.set(userGroup.storeKey, value: Array("g".utf8), ttlSeconds: 3600)

    let request = Request(params: params, body: body)
    let response = Responder(context: context).respond(request)
    for header in response.headers {
        precondition(HeaderName.isToken(header.name.text), "bad header name \(header.name.text.debugDescription)")
        precondition(HeaderValue.isClean(header.value), "bad header value \(header.value.debugDescription)")
    }
    if response.status == 200, params["OIDC_ACTION"] == "auth" {
        precondition(request.cookies(named: "oidc_session").contains(sessionCookie), "a 200 without the session")
    }
}
