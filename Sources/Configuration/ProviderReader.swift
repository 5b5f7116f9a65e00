import Foundation
import JOSE
import RelyingParty

/// One entry of `providers:`.
struct ProviderReader {
    let reader: YAMLReader
    let baseDirectory: String

    func read() -> ProviderSettings? {
        let name = reader.string("name", default: "default")!
        if !SettingsReader.isToken(name) { reader.problem("name", "must be letters, digits and -_ (it is used in web server config), got \"\(name)\"") }
        let issuer = reader.string("issuer", required: true)
        if let issuer, !(issuer.hasPrefix("https://") || issuer.hasPrefix("http://")) {
            reader.problem("issuer", "must be the provider's issuer URL (https://…), got \"\(issuer)\"")
        }
        let clientID = reader.string("client_id", required: true)
        var secret = reader.string("client_secret")
        if let file = reader.string("client_secret_file") {
            if secret != nil { reader.problem("client_secret_file", "set either client_secret or client_secret_file, not both") }
            let path = file.hasPrefix("/") ? file : baseDirectory + "/" + file
            switch SecretFile.read(path) {
            case .success(let text):
                secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case .failure(let failure):
                reader.problem("client_secret_file", failure.message)
            }
        }
        if secret == nil || secret!.isEmpty { reader.problem("client_secret", "is required (or client_secret_file)") }
        let authText = reader.string("token_endpoint_auth_method", default: "client_secret_basic")!
        let auth = ProviderSettings.ClientAuthentication(rawValue: authText)
        if auth == nil {
            reader.problem("token_endpoint_auth_method", "must be client_secret_basic or client_secret_post, got \"\(authText)\"")
        }
        let scopes = reader.stringList("scopes", default: ["openid", "email", "profile"])
        if !scopes.contains("openid") { reader.problem("scopes", "must include openid") }
        let userClaim = reader.string("user_claim", default: "sub")!
        var algorithms = ProviderSettings.defaultAlgorithms
        if reader.has("id_token_signing_algs") {
            algorithms = []
            for (index, text) in reader.stringList("id_token_signing_algs", default: []).enumerated() {
                if text.lowercased() == "none" {
                    reader.problem("id_token_signing_algs[\(index)]", "none is never accepted: unsigned ID tokens prove nothing")
                } else if let alg = JWSAlgorithm(rawValue: text) {
                    algorithms.insert(alg)
                } else {
                    reader.problem("id_token_signing_algs[\(index)]", "unknown algorithm \"\(text)\"; use one of \(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if algorithms.isEmpty { reader.problem("id_token_signing_algs", "list at least one algorithm") }
        }
        var extra: [(name: String, value: String)] = []
        if let params = reader.object("auth_params") {
            for (key, node) in params.pairs() {
                if case .scalar(let scalar) = node { extra.append((key, scalar.string)) } else { params.problem(key, "must be a single value") }
                if ["response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "scope"].contains(key) {
                    params.problem(key, "is set by oidc-fcgi itself and cannot be overridden")
                }
            }
        }
        let refresh = reader.durationSeconds("metadata_refresh", default: 3600, range: 60...(7 * 86400))
        var staticMetadata: ProviderMetadata?
        if let metadata = reader.object("metadata") {
            let authorization = metadata.string("authorization_endpoint", required: true)
            let token = metadata.string("token_endpoint", required: true)
            let jwks = metadata.string("jwks_uri", required: true)
            let userinfo = metadata.string("userinfo_endpoint")
            let endSession = metadata.string("end_session_endpoint")
            metadata.finish()
            if let issuer, let authorization, let token, let jwks {
                staticMetadata = ProviderMetadata(issuer: issuer, authorizationEndpoint: authorization, tokenEndpoint: token,
                                                  userinfoEndpoint: userinfo, jwksURI: jwks, endSessionEndpoint: endSession)
            }
        }
        guard let issuer, let clientID, let secret, let auth else { return nil }
        return ProviderSettings(
            name: name, issuer: issuer, clientID: clientID, clientSecret: secret, clientAuthentication: auth, scopes: scopes,
            userClaim: userClaim, allowedAlgorithms: algorithms, staticMetadata: staticMetadata, extraAuthorizationParameters: extra,
            metadataRefreshSeconds: refresh)
    }
}
