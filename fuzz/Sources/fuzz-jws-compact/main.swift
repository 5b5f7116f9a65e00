// JWS compact serialization as it arrives from a token endpoint: verified
// against the fixture provider's real keys with every algorithm allowed.
import FuzzSupport
import JOSE

let keys = try! JWKSet(json: Array(FixtureProvider.jwks.utf8))
let symmetric = JWKSet.symmetric(secret: Array(FixtureProvider.clientSecret.utf8))
let every = Set(JWSAlgorithm.allCases)

Fuzzer.run { bytes in
    let compact = FuzzInput(bytes).text
    _ = JWSVerifier.claimedAlgorithm(ofCompact: compact)
    _ = try? JWSVerifier.verify(compact: compact, keys: keys, allowedAlgorithms: every)
    _ = try? JWSVerifier.verify(compact: compact, allowedAlgorithms: every) { alg in alg.isSymmetric ? symmetric : keys }
}
