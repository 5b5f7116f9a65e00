// JWKS documents as a provider's jwks_uri serves them: read, then used to
// verify a real token, so half-imported keys meet the verifier.
import FuzzSupport
import JOSE

let token = FixtureProvider.sampleToken
let every = Set(JWSAlgorithm.allCases)

Fuzzer.run { bytes in
    guard let set = try? JWKSet(json: bytes) else { return }
    _ = set.keyIDs
    _ = set.skippedKeys
    _ = try? JWSVerifier.verify(compact: token, keys: set, allowedAlgorithms: every)
}
