import JOSE
import Logging

/// `check-config --online`: what the configuration needs from each provider,
/// asked of the provider itself. Discovery (issuer exactly as configured, the
/// endpoints), the key set (a key for an allowed algorithm) and the client's
/// credentials, tried with a code that cannot exist: `invalid_grant` means the
/// provider accepted the client and refused only the code.
public struct ProviderOnlineCheck: Sendable {
    public struct Result: Sendable, Equatable {
        public let provider: String
        public let check: String
        public let passed: Bool
        public let detail: String
    }

    private let http: any HTTPTransport
    private let random: any RandomSource
    private let logger: Logger

    public init(http: any HTTPTransport, random: any RandomSource = SystemRandomSource(), logger: Logger) {
        self.http = http
        self.random = random
        self.logger = logger
    }

    public func run(_ provider: ProviderSettings, redirectURI: String) -> [Result] {
        func result(_ check: String, _ passed: Bool, _ detail: String) -> Result {
            Result(provider: provider.name, check: check, passed: passed, detail: detail)
        }
        let snapshot: ProviderDirectory.Snapshot
        do {
            snapshot = try ProviderDirectory(http: http, clock: SystemClock(), logger: logger).snapshot(for: provider)
        } catch {
            return [result("metadata", false, "\(error)")]
        }
        let metadata = snapshot.metadata
        var results = [result("metadata", true, "issuer \(metadata.issuer); authorization, token and jwks endpoints present"
                                + (metadata.endSessionEndpoint == nil ? "; no end_session_endpoint (logout stays local)" : ""))]
        let asymmetric = provider.allowedAlgorithms.filter { !$0.isSymmetric }.sorted { $0.rawValue < $1.rawValue }
        let covered = asymmetric.filter { snapshot.keys.hasKey(for: $0) }
        if asymmetric.isEmpty {
            results.append(result("signing keys", true, "only symmetric algorithms allowed; the client secret verifies ID tokens"))
        } else if covered.isEmpty {
            results.append(result("signing keys", false, "the key set (\(snapshot.keys.count) usable keys) has none for \(asymmetric.map(\.rawValue).joined(separator: ", ")); check id_token_signing_algs"))
        } else {
            results.append(result("signing keys", true, "\(snapshot.keys.count) usable keys; keys for \(covered.map(\.rawValue).joined(separator: ", "))"))
        }
        results.append(checkCredentials(provider, metadata: metadata, redirectURI: redirectURI, result: result))
        return results
    }

    private func checkCredentials(_ provider: ProviderSettings, metadata: ProviderMetadata, redirectURI: String,
                                  result: (String, Bool, String) -> Result) -> Result {
        let bogusCode = "oidc-fcgi-check-" + Base64URL.encode(random.bytes(16))
        let verifier = Base64URL.encode(random.bytes(32))
        do {
            _ = try TokenEndpointClient(http: http).exchange(code: bogusCode, codeVerifier: verifier, redirectURI: redirectURI,
                                                             provider: provider, metadata: metadata)
            return result("client credentials", false, "the token endpoint accepted a code that cannot exist; is token_endpoint right?")
        } catch {
            switch error {
            case .refused(_, let code, _) where code == "invalid_grant":
                return result("client credentials", true, "accepted (the test code was refused with invalid_grant, as it should be)")
            case .clientAuthenticationRefused(let method, let status, _):
                return result("client credentials", false, "refused (\(method.rawValue), HTTP \(status)): check client_id and the secret or key")
            case .refused(let status, let code, let description):
                return result("client credentials", false, "the token endpoint answered \(code) (HTTP \(status))\(description.map { ": \($0.prefix(200))" } ?? ""); the client may not be allowed the code grant or this redirect_uri (\(redirectURI))")
            default:
                return result("client credentials", false, "\(error)")
            }
        }
    }
}
