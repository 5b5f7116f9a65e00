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
            let introspection = metadata.string("introspection_endpoint")
            metadata.finish()
            if let issuer, let authorization, let token, let jwks {
                staticMetadata = ProviderMetadata(issuer: issuer, authorizationEndpoint: authorization, tokenEndpoint: token,
                                                  userinfoEndpoint: userinfo, jwksURI: jwks, endSessionEndpoint: endSession,
                                                  introspectionEndpoint: introspection)
            }
        }
        let api = readAPI()
        guard let issuer, let clientID, let secret, let auth else { return nil }
        return ProviderSettings(
            name: name, issuer: issuer, clientID: clientID, clientSecret: secret, clientAuthentication: auth, scopes: scopes,
            userClaim: userClaim, allowedAlgorithms: algorithms, staticMetadata: staticMetadata, extraAuthorizationParameters: extra,
            metadataRefreshSeconds: refresh, api: api)
    }

    /// `api:` — how this provider's bearer tokens are checked.
    private func readAPI() -> AccessTokenSettings {
        var api = AccessTokenSettings()
        guard let section = reader.object("api") else { return api }
        if let text = section.string("validation") {
            api.validation = AccessTokenSettings.Validation(rawValue: text)
            if api.validation == nil {
                section.problem("validation", "must be introspection, jwt or jwt-then-introspection, got \"\(text)\"")
            }
        }
        if section.has("audiences") {
            let audiences = section.stringList("audiences", default: [])
            if audiences.isEmpty || audiences.contains(where: \.isEmpty) { section.problem("audiences", "list at least one non-empty audience") }
            api.audiences = audiences
        }
        api.requireTyp = section.bool("require_typ", default: false)
        if section.has("signing_algs") {
            var algorithms: Set<JWSAlgorithm> = []
            for (index, text) in section.stringList("signing_algs", default: []).enumerated() {
                if text.lowercased() == "none" {
                    section.problem("signing_algs[\(index)]", "none is never accepted: unsigned tokens prove nothing")
                } else if let alg = JWSAlgorithm(rawValue: text), !alg.isSymmetric {
                    algorithms.insert(alg)
                } else if let alg = JWSAlgorithm(rawValue: text) {
                    section.problem("signing_algs[\(index)]", "\(alg.rawValue) is not accepted for access tokens: it rests on a shared secret, not the provider's published keys")
                } else {
                    section.problem("signing_algs[\(index)]", "unknown algorithm \"\(text)\"; use one of \(JWSAlgorithm.allCases.filter { !$0.isSymmetric }.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if algorithms.isEmpty { section.problem("signing_algs", "list at least one asymmetric algorithm") }
            api.signingAlgorithms = algorithms
        }
        api.maxTokenBytes = section.integer("max_token_bytes", default: 8192, range: 256...65536)
        api.cacheMaxSeconds = section.durationSeconds("cache_max", default: 300, range: 1...86400)
        api.cacheInactiveSeconds = section.durationSeconds("cache_inactive", default: 30, range: 1...3600)
        section.finish()
        return api
    }
}
