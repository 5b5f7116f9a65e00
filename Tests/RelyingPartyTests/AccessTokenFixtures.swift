import Foundation
import JOSE
import RelyingParty

/// The independently signed access tokens of Tests/fixtures/make_access_token_fixtures.py.
struct AccessTokenFixtures {
    let root: [String: Any]

    init() {
        let url = Bundle.module.url(forResource: "access_tokens", withExtension: "json", subdirectory: "Fixtures")!
        root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    var now: Int64 { (root["now"] as! NSNumber).int64Value }
    var issuer: String { root["issuer"] as! String }
    var clientID: String { root["client_id"] as! String }
    var audience: String { root["audience"] as! String }
    var clockSkew: Int64 { (root["clock_skew"] as! NSNumber).int64Value }
    var jwks: [UInt8] { Self.json(root["jwks"]!) }
    var previousJWKS: [UInt8] { Self.json(root["jwks_previous"]!) }
    var keys: JWKSet { try! JWKSet(json: jwks) }

    func token(_ name: String) -> String { (root["tokens"] as! [String: String])[name]! }

    func expecting(requireTyp: Bool = false, audiences: [String]? = nil, algorithms: Set<JWSAlgorithm> = ProviderSettings.defaultAlgorithms,
                   now: Int64? = nil, keep: Set<String> = ["email"]) -> AccessTokenExpectations {
        AccessTokenExpectations(issuer: issuer, audiences: audiences ?? [audience], allowedAlgorithms: algorithms, requireTyp: requireTyp,
                                clockSkewSeconds: clockSkew, now: now ?? self.now, keepClaims: keep)
    }

    static func json(_ object: Any) -> [UInt8] { [UInt8](try! JSONSerialization.data(withJSONObject: object)) }
}
