import Configuration
import Foundation
import Logging
import RelyingParty
import Synchronization
import Testing

/// A registration endpoint in memory: every POST registers a new client
/// (`client-1`, `client-2`…); counts them and keeps the last request.
final class RegistrationEndpoint: HTTPTransport {
    static let url = "https://idp.example/register"
    private struct State {
        var count = 0
        var last: OutboundRequest?
        var refuseWith: Int?
    }
    private let state = Mutex(State())
    var count: Int { state.withLock { $0.count } }
    var last: OutboundRequest? { state.withLock { $0.last } }
    func refuse(status: Int) { state.withLock { $0.refuseWith = status } }

    func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        let (number, refusal) = state.withLock { state -> (Int, Int?) in
            state.last = request
            if state.refuseWith != nil { return (0, state.refuseWith) }
            state.count += 1
            return (state.count, nil)
        }
        if let refusal { return InboundResponse(status: refusal, body: Array(#"{"error":"invalid_token"}"#.utf8)) }
        return InboundResponse(status: 201, body: Array("""
        {"client_id":"client-\(number)","client_secret":"secret-\(number)","token_endpoint_auth_method":"client_secret_post",
         "registration_access_token":"rat-\(number)","registration_client_uri":"https://idp.example/register/client-\(number)",
         "client_secret_expires_at":0}
        """.utf8))
    }
}

/// Time stands still in these tests.
struct FixedClock: WallClock {
    let seconds: Int64
    func now() -> Int64 { seconds }
}

/// The registrar with the real state-directory files: registration once, reuse after
/// a restart, one client for instances starting together, one replacement per refusal.
@Suite final class ClientRegistrationTests {
    let directory: String
    let endpoint = RegistrationEndpoint()
    let clock = FixedClock(seconds: 1_800_000_000)
    let settings: Settings
    let provider: ProviderSettings
    let metadata = ProviderMetadata(issuer: "https://idp.example", authorizationEndpoint: "https://idp.example/authorize",
                                    tokenEndpoint: "https://idp.example/token", jwksURI: "https://idp.example/jwks",
                                    registrationEndpoint: RegistrationEndpoint.url)
    static let quiet: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    init() throws {
        directory = NSTemporaryDirectory() + "oidc-fcgi-registration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let registration = ClientRegistrationSettings(clientName: "Reports", contacts: ["ops@example.com"], tokenEndpointAuthMethod: .clientSecretPost,
                                                      idTokenSignedResponseAlgorithm: .es256, initialAccessToken: "initial-token", stateDirectory: directory)
        provider = ProviderSettings(name: "corp", issuer: "https://idp.example", clientID: "", clientSecret: "",
                                    scopes: ["openid", "email"], registration: registration)
        settings = Settings(publicOrigin: Origin("https://app.example.com")!, cookie: CookieSettings(secure: true),
                            session: SessionSettings(secrets: [Array("registration-test-secret-of-32-bytes!".utf8)]), providers: [provider])
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func registrar() -> ClientRegistrar {
        ClientRegistrar(http: endpoint, clock: clock, settings: settings, storage: RegisteredClientFiles(), logger: Self.quiet)
    }

    var file: RegisteredClientFile { RegisteredClientFile(stateDirectory: directory, provider: "corp") }

    @Test func theRequestAsksForEverythingTheSiteNeeds() throws {
        _ = try registrar().client(for: provider, metadata: metadata)
        let request = try #require(endpoint.last)
        #expect(request.method == .post && request.url == RegistrationEndpoint.url)
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer initial-token" })
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
        let body = try #require(JSONValue.parse(request.body)?.objectValue)
        #expect(body["redirect_uris"] == .array([.string("https://app.example.com/oidc/callback")]))
        #expect(body["post_logout_redirect_uris"] == .array([.string("https://app.example.com/oidc/logout")]))
        #expect(body["backchannel_logout_uri"] == .string("https://app.example.com/oidc/backchannel-logout"))
        #expect(body["backchannel_logout_session_required"] == .bool(true))
        #expect(body["frontchannel_logout_uri"] == .string("https://app.example.com/oidc/frontchannel-logout"))
        #expect(body["grant_types"] == .array([.string("authorization_code"), .string("refresh_token")]))
        #expect(body["response_types"] == .array([.string("code")]))
        #expect(body["token_endpoint_auth_method"] == .string("client_secret_post"))
        #expect(body["id_token_signed_response_alg"] == .string("ES256"))
        #expect(body["client_name"] == .string("Reports"))
        #expect(body["contacts"] == .array([.string("ops@example.com")]))
        #expect(body["scope"] == .string("openid email"))
        #expect(body["application_type"] == .string("web"))
    }

    @Test func theFingerprintFollowsTheSettings() {
        let registration = provider.registration!
        let one = ClientRegistrationRequest(provider: provider, registration: registration, settings: settings)
        #expect(one.fingerprint == ClientRegistrationRequest(provider: provider, registration: registration, settings: settings).fingerprint)
        var renamed = registration
        renamed.clientName = "Other"
        #expect(one.fingerprint != ClientRegistrationRequest(provider: provider, registration: renamed, settings: settings).fingerprint)
    }

    @Test func theClientIsRegisteredOnceAndReusedAfterARestart() throws {
        let first = try registrar().client(for: provider, metadata: metadata)
        #expect(first.clientID == "client-1" && first.clientSecret == "secret-1" && first.clientAuthentication == .clientSecretPost)
        #expect(try registrar().client(for: provider, metadata: metadata).clientID == "client-1")  // a new process reads the file
        let same = registrar()
        _ = try same.client(for: provider, metadata: metadata)
        _ = try same.client(for: provider, metadata: metadata)
        #expect(endpoint.count == 1)
    }

    @Test func instancesStartingTogetherRegisterOneClient() async throws {
        // Each registrar stands for a process sharing the state directory; the file lock makes them take turns.
        let provider = provider, metadata = metadata
        let registrars = (0..<8).map { _ in registrar() }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for registrar in registrars {
                group.addTask { try registrar.client(for: provider, metadata: metadata).clientID }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids) == ["client-1"])
        #expect(endpoint.count == 1)
    }

    @Test func theFileRoundTripsAndIsPrivate() throws {
        let client = RegisteredClient(clientID: "c", clientSecret: "s", tokenEndpointAuthMethod: "client_secret_basic", registrationAccessToken: "r",
                                      registrationClientURI: "https://idp.example/register/c", clientSecretExpiresAt: 1_900_000_000,
                                      clientIDIssuedAt: 1_800_000_000, fingerprint: "f", registeredAt: 1_800_000_001)
        #expect(try file.read() == nil)
        try file.write(client)
        #expect(try file.read() == client)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["corp.json"])  // no temporary file left
    }

    @Test func aCorruptFileIsAnErrorNamingItAndIsNotOverwritten() throws {
        try Data(#"{"client_id": "half"#.utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: ClientRegistrationError.corruptFile(path: file.path, reason: "not valid JSON")) { try file.read() }
        let error = #expect(throws: ClientRegistrationError.self) { try registrar().client(for: provider, metadata: metadata) }
        #expect(error?.description.contains(file.path) == true)
        #expect(error?.description.contains("fix or remove it") == true)
        #expect(endpoint.count == 0)
        #expect(try String(contentsOfFile: file.path, encoding: .utf8) == #"{"client_id": "half"#)

        try Data(#"{"client_id": "c"}"#.utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: ClientRegistrationError.corruptFile(path: file.path, reason: "client_secret_expires_at is missing")) { try file.read() }
    }

    @Test func aRefusedClientIsReplacedOnceEvenWhenSeveralNoticeIt() throws {
        let registrar = registrar()
        let old = try registrar.client(for: provider, metadata: metadata)
        let replacement = try registrar.replace(rejected: old, metadata: metadata)
        #expect(replacement.clientID == "client-2")
        // Another request (or instance) refused with the same old client: it takes the replacement.
        #expect(try registrar.replace(rejected: old, metadata: metadata).clientID == "client-2")
        #expect(try self.registrar().replace(rejected: old, metadata: metadata).clientID == "client-2")
        #expect(endpoint.count == 2)
        #expect(try registrar.client(for: provider, metadata: metadata).clientID == "client-2")
    }

    @Test func aRefusedRegistrationSaysWhatToCheck() throws {
        endpoint.refuse(status: 401)
        let error = #expect(throws: ClientRegistrationError.self) { try registrar().client(for: provider, metadata: metadata) }
        #expect(error?.description.contains("refused the client registration (HTTP 401, invalid_token)") == true)
        #expect(error?.description.contains("registration.initial_access_token") == true)
        #expect(error?.isTemporary == false)
        #expect(try file.read() == nil)
    }

    @Test func noRegistrationEndpointIsNamed() {
        var bare = metadata
        bare.registrationEndpoint = nil
        #expect(throws: ClientRegistrationError.noRegistrationEndpoint(provider: "corp")) { try registrar().client(for: provider, metadata: bare) }
    }
}
