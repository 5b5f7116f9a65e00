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
        let displayName = reader.string("display_name")
        if let displayName, displayName.isEmpty || displayName.utf8.count > Self.maxDisplayNameBytes
            || displayName.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            reader.problem("display_name", "must be 1 to \(Self.maxDisplayNameBytes) bytes of text without control characters")
        }
        let issuer = reader.string("issuer", required: true)
        if let issuer, !(issuer.hasPrefix("https://") || issuer.hasPrefix("http://")) {
            reader.problem("issuer", "must be the provider's issuer URL (https://…), got \"\(issuer)\"")
        }
        let registration = readRegistration(provider: name)
        if registration != nil, reader.has("client_id") {
            reader.problem("client_id", "set either client_id or registration, not both: with registration the provider assigns the client_id")
        }
        if registration != nil {
            for key in ["client_secret", "client_secret_file", "client_private_key_file", "token_endpoint_auth_method"] where reader.has(key) {
                reader.problem(key, "is not used with registration: the provider issues the client's credentials (set registration.token_endpoint_auth_method to choose the method)")
            }
        }
        let clientID = registration != nil ? "" : reader.string("client_id", required: true)
        let secret = readSecret("client_secret", in: reader)
        var auth: ProviderSettings.ClientAuthentication?
        if let authText = reader.string("token_endpoint_auth_method") {
            auth = ProviderSettings.ClientAuthentication(rawValue: authText)
            if auth == nil {
                reader.problem("token_endpoint_auth_method", "must be one of \(ProviderSettings.ClientAuthentication.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(authText)\"")
            }
        }
        let signingKey = readClientSigningKey(method: auth)
        let secretAlgorithm = readSecretAssertionAlgorithm(method: auth)
        if let auth, ![.clientSecretJWT, .privateKeyJWT].contains(auth), reader.has("token_endpoint_auth_signing_alg") {
            reader.problem("token_endpoint_auth_signing_alg", "is used by client_secret_jwt and private_key_jwt only, but token_endpoint_auth_method is \(auth.rawValue)")
        }
        let hasSecret = !(secret ?? "").isEmpty
        switch auth {
        case .clientSecretBasic?, .clientSecretPost?, .clientSecretJWT?:
            if !hasSecret { reader.problem("client_secret", "is required for \(auth!.rawValue) (or client_secret_file)") }
        case .privateKeyJWT?:
            if !reader.has("client_private_key_file") { reader.problem("client_private_key_file", "is required for private_key_jwt: the PEM or JWK file of the client's private key") }
        case .publicClient?:
            break
        case nil:
            if registration == nil, !hasSecret && !reader.has("client_private_key_file") {
                reader.problem("client_secret", "is required (or client_secret_file, or client_private_key_file for private_key_jwt, or token_endpoint_auth_method: none for a public client)")
            }
        }
        let scopes = reader.stringList("scopes", default: ["openid", "email", "profile"])
        if !scopes.contains("openid") { reader.problem("scopes", "must include openid") }
        let userClaim = reader.string("user_claim", default: "sub")!
        var algorithms = ProviderSettings.defaultAlgorithms
        var acceptsUnsigned = false
        if reader.has("id_token_signing_algs") {
            algorithms = []
            for (index, text) in reader.stringList("id_token_signing_algs", default: []).enumerated() {
                if text == "none" {
                    // Opt-in only, and accepted only from an https token endpoint (checked per login).
                    acceptsUnsigned = true
                } else if text.lowercased() == "none" {
                    reader.problem("id_token_signing_algs[\(index)]", "write none in lower case to accept unsigned ID tokens")
                } else if let alg = JWSAlgorithm(rawValue: text) {
                    algorithms.insert(alg)
                } else {
                    reader.problem("id_token_signing_algs[\(index)]", "unknown algorithm \"\(text)\"; use one of \(JWSAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if algorithms.isEmpty && !acceptsUnsigned { reader.problem("id_token_signing_algs", "list at least one algorithm") }
        }
        var extra: [(name: String, value: String)] = []
        if let params = reader.object("auth_params") {
            for (key, node) in params.pairs() {
                if case .scalar(let scalar) = node { extra.append((key, scalar.string)) } else { params.problem(key, "must be a single value") }
                if ["response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "scope"].contains(key) {
                    params.problem(key, "is set by oidc-fcgi itself and cannot be overridden")
                }
                if ["max_age", "acr_values"].contains(key) {
                    params.problem(key, "is checked in the ID token, so set it as the provider's own \(key) (or per location), not in auth_params")
                }
            }
        }
        let maxAge = reader.has("max_age") ? reader.durationSeconds("max_age", default: 0, range: 0...(366 * 86400)) : nil
        var acrValues: [String] = []
        if reader.has("acr_values") {
            acrValues = reader.stringList("acr_values", default: []).flatMap { $0.split(separator: " ").map(String.init) }
            if acrValues.isEmpty || acrValues.contains(where: { !$0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } }) {
                reader.problem("acr_values", "list one or more values without spaces or control characters (e.g. [urn:mfa])")
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
            let revocation = metadata.string("revocation_endpoint")
            let registration = metadata.string("registration_endpoint")
            let authMethods = metadata.has("token_endpoint_auth_methods_supported")
                ? metadata.stringList("token_endpoint_auth_methods_supported", default: []) : nil
            metadata.finish()
            if let issuer, let authorization, let token, let jwks {
                staticMetadata = ProviderMetadata(issuer: issuer, authorizationEndpoint: authorization, tokenEndpoint: token,
                                                  userinfoEndpoint: userinfo, jwksURI: jwks, endSessionEndpoint: endSession,
                                                  introspectionEndpoint: introspection, revocationEndpoint: revocation,
                                                  registrationEndpoint: registration, tokenEndpointAuthMethods: authMethods)
            }
        }
        let api = readAPI()
        guard let issuer, let clientID else { return nil }
        return ProviderSettings(
            name: name, issuer: issuer, clientID: clientID, clientSecret: secret ?? "", clientAuthentication: auth,
            clientSigningKey: signingKey, clientSecretAssertionAlgorithm: secretAlgorithm, acceptsUnsignedIDTokens: acceptsUnsigned, scopes: scopes,
            userClaim: userClaim, allowedAlgorithms: algorithms, staticMetadata: staticMetadata, extraAuthorizationParameters: extra,
            metadataRefreshSeconds: refresh, api: api, maxAge: maxAge, acrValues: acrValues, displayName: displayName,
            registration: registration)
    }

    /// A secret given as `key` or as `key_file` (one file, relative to the config file), not both.
    private func readSecret(_ key: String, in section: YAMLReader) -> String? {
        var secret = section.string(key)
        if let file = section.string(key + "_file") {
            if secret != nil { section.problem(key + "_file", "set either \(key) or \(key)_file, not both") }
            let path = file.hasPrefix("/") ? file : baseDirectory + "/" + file
            switch SecretFile.read(path) {
            case .success(let text):
                secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case .failure(let failure):
                section.problem(key + "_file", failure.message)
            }
        }
        return secret
    }

    /// `registration:` — dynamic client registration instead of a configured client_id.
    private func readRegistration(provider: String) -> ClientRegistrationSettings? {
        guard let section = reader.object("registration") else { return nil }
        var settings = ClientRegistrationSettings(stateDirectory: "")
        settings.clientName = section.string("client_name")
        settings.contacts = section.stringList("contacts", default: [])
        if let text = section.string("token_endpoint_auth_method") {
            if let method = ProviderSettings.ClientAuthentication(rawValue: text), [.clientSecretBasic, .clientSecretPost].contains(method) {
                settings.tokenEndpointAuthMethod = method
            } else {
                section.problem("token_endpoint_auth_method", "must be client_secret_basic or client_secret_post for a registered client, got \"\(text)\"")
            }
        }
        if let text = section.string("id_token_signed_response_alg") {
            if let alg = JWSAlgorithm(rawValue: text), !alg.isSymmetric {
                settings.idTokenSignedResponseAlgorithm = alg
            } else {
                section.problem("id_token_signed_response_alg", "must be an asymmetric algorithm such as RS256 or ES256, got \"\(text)\"")
            }
        }
        settings.initialAccessToken = readSecret("initial_access_token", in: section)
        if let directory = section.string("state_dir", required: true) {
            settings.stateDirectory = directory.hasPrefix("/") ? directory : baseDirectory + "/" + directory
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: settings.stateDirectory, isDirectory: &isDirectory) || !isDirectory.boolValue {
                section.problem("state_dir", "\(settings.stateDirectory) is not a directory; create it, writable only by the user oidc-fcgi runs as (mode 0700)")
            } else {
                // A stored client that cannot be used stops the start here, rather than at the first login.
                do { _ = try RegisteredClientFile(stateDirectory: settings.stateDirectory, provider: provider).read() } catch {
                    section.problem("state_dir", "\(error)")
                }
            }
        }
        section.finish()
        return settings
    }

    /// A label on a button, not a paragraph.
    static let maxDisplayNameBytes = 100

    /// `client_private_key_file` (PEM or JWK) with `token_endpoint_auth_signing_alg`: the
    /// key for private_key_jwt. Problems name the file, never its content.
    private func readClientSigningKey(method: ProviderSettings.ClientAuthentication?) -> ClientSigningKey? {
        guard let file = reader.string("client_private_key_file") else { return nil }
        if let method, method != .privateKeyJWT {
            reader.problem("client_private_key_file", "is used by private_key_jwt only, but token_endpoint_auth_method is \(method.rawValue)")
        }
        var algorithm: JWSAlgorithm?
        if method != .clientSecretJWT, let text = reader.string("token_endpoint_auth_signing_alg") {
            algorithm = JWSAlgorithm(rawValue: text)
            if algorithm == nil || algorithm!.isSymmetric || algorithm == .edDSA {
                reader.problem("token_endpoint_auth_signing_alg", "must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 for private_key_jwt, got \"\(text)\"")
                return nil
            }
        }
        let path = file.hasPrefix("/") ? file : baseDirectory + "/" + file
        switch BoundedFile.read(path, limit: SecretFile.maximumBytes) {
        case .failure(.unreadable):
            reader.problem("client_private_key_file", "cannot read \(path)")
        case .failure(.tooLarge):
            reader.problem("client_private_key_file", "\(path) is larger than \(BoundedFile.describe(SecretFile.maximumBytes)); it should hold one private key")
        case .success(let bytes):
            do { return try ClientSigningKey(document: bytes, algorithm: algorithm) } catch {
                reader.problem("client_private_key_file", "\(path): \(error)")
            }
        }
        return nil
    }

    /// `token_endpoint_auth_signing_alg` for client_secret_jwt: HS256 (default), HS384 or HS512.
    private func readSecretAssertionAlgorithm(method: ProviderSettings.ClientAuthentication?) -> JWSAlgorithm {
        guard method == .clientSecretJWT || (method == nil && !reader.has("client_private_key_file")),
              let text = reader.string("token_endpoint_auth_signing_alg") else { return .hs256 }
        guard let algorithm = JWSAlgorithm(rawValue: text), algorithm.isSymmetric else {
            reader.problem("token_endpoint_auth_signing_alg", "must be HS256, HS384 or HS512 for client_secret_jwt, got \"\(text)\"")
            return .hs256
        }
        return algorithm
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
