// The ID token validator. Mode 0: the input is the compact token, checked
// against the fixture provider's keys. Otherwise the input is the payload
// (any bytes), signed here with HS256 and the client secret, so the claim
// checks behind the signature are fuzzed too.
import FuzzSupport
import JOSE
import RelyingParty

let keys = try! JWKSet(json: Array(FixtureProvider.jwks.utf8))
let secret = Array(FixtureProvider.clientSecret.utf8)
let validator = IDTokenValidator()
let expectations = IDTokenExpectations(
    issuer: FixtureProvider.issuer, clientID: FixtureProvider.clientID, nonce: FixtureProvider.nonce,
    allowedAlgorithms: Set(JWSAlgorithm.allCases), clockSkewSeconds: FixtureProvider.clockSkew,
    maxIssuedAgeSeconds: FixtureProvider.maxIssuedAge, now: FixtureProvider.now,
    accessToken: FixtureProvider.accessToken, trustedAudiences: [FixtureProvider.trustedAudience]
)
let signingInput = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "."

func signedWithClientSecret(payload: [UInt8]) -> String {
    let input = signingInput + Base64URL.encode(payload)
    return input + "." + Base64URL.encode(Digest.sha256.hmac(key: secret, data: Array(input.utf8)))
}

Fuzzer.run { bytes in
    let (mode, rest) = FuzzInput(bytes).selector
    let token = mode == 0 ? FuzzInput(rest).text : signedWithClientSecret(payload: rest)
    guard let claims = try? validator.validate(token, keys: keys, clientSecret: secret, expecting: expectations) else { return }
    // Whatever passes satisfies the rules it was checked against.
    precondition(claims.issuer == FixtureProvider.issuer && claims.audiences.contains(FixtureProvider.clientID))
    precondition(claims.expiresAt > FixtureProvider.now - FixtureProvider.clockSkew && !claims.subject.isEmpty)
    precondition(claims.nonce == FixtureProvider.nonce)
}
