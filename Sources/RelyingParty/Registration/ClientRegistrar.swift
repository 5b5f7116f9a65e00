import Logging
import Synchronization

/// Gives every provider configured with `registration` its registered client:
/// from memory, else from the state directory's file, else by registering at the
/// provider's registration endpoint (once, under the file lock, so instances that
/// share the directory and start together register one client between them).
/// Only logins and token calls ask for it: a valid session's auth answer never does.
public final class ClientRegistrar: Sendable {
    private let http: any HTTPTransport
    private let clock: any WallClock
    private let settings: Settings
    private let logger: Logger
    private let storage: any RegisteredClientStorage
    private let known = Mutex<[String: RegisteredClient]>([:])

    public init(http: any HTTPTransport, clock: any WallClock, settings: Settings, storage: any RegisteredClientStorage, logger: Logger) {
        self.http = http
        self.storage = storage
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    /// `provider` with its client filled in; unchanged when it has a configured client_id.
    public func client(for provider: ProviderSettings, metadata: ProviderMetadata) throws(ClientRegistrationError) -> ProviderSettings {
        guard let registration = provider.registration else { return provider }
        return try registeredClient(for: provider, registration: registration, metadata: metadata).applied(to: provider)
    }

    /// The registered client itself (for `oidc-fcgi register`): reused while it matches the
    /// settings, else registered; `renew` registers a new one whatever is stored.
    public func registeredClient(for provider: ProviderSettings, registration: ClientRegistrationSettings, metadata: ProviderMetadata,
                                 renew: Bool = false) throws(ClientRegistrationError) -> RegisteredClient {
        let request = ClientRegistrationRequest(provider: provider, registration: registration, settings: settings)
        let now = clock.now()
        if !renew, let cached = known.withLock({ $0[provider.name] }), cached.fingerprint == request.fingerprint, !cached.secretExpired(now: now) {
            return cached
        }
        let file = storage.slot(stateDirectory: registration.stateDirectory, provider: provider.name)
        let client = try file.withLock { () throws(ClientRegistrationError) -> RegisteredClient in
            let stored = try file.read()
            if !renew, let stored, stored.fingerprint == request.fingerprint, !stored.secretExpired(now: now) { return stored }
            let why = renew ? "asked to register anew" : stored == nil ? "no client registered yet"
                : stored!.fingerprint != request.fingerprint ? "the registration settings changed" : "the client secret expired"
            return try register(provider, request: request, registration: registration, metadata: metadata, file: file, reason: why)
        }
        known.withLock { $0[provider.name] = client }
        return client
    }

    /// The provider refused `rejected` (`invalid_client`): it forgot the client. Registers
    /// a new one — unless another instance already did, whose client is then used — and
    /// returns the provider with it. Callers retry once with the answer, never in a loop.
    public func replace(rejected: ProviderSettings, metadata: ProviderMetadata) throws(ClientRegistrationError) -> ProviderSettings {
        guard let registration = rejected.registration else { return rejected }
        let request = ClientRegistrationRequest(provider: rejected, registration: registration, settings: settings)
        let file = storage.slot(stateDirectory: registration.stateDirectory, provider: rejected.name)
        let client = try file.withLock { () throws(ClientRegistrationError) -> RegisteredClient in
            if let stored = try file.read(), stored.clientID != rejected.clientID, stored.fingerprint == request.fingerprint { return stored }
            return try register(rejected, request: request, registration: registration, metadata: metadata, file: file,
                                reason: "the provider refused the registered client (invalid_client)")
        }
        known.withLock { $0[rejected.name] = client }
        return client.applied(to: rejected)
    }

    /// The client already registered, without calling the provider (for logout, which must
    /// not register): from memory, else from the file; nil when there is none or it cannot be read.
    public func knownClient(for provider: ProviderSettings) -> ProviderSettings {
        guard let registration = provider.registration else { return provider }
        if let cached = known.withLock({ $0[provider.name] }) { return cached.applied(to: provider) }
        let file = storage.slot(stateDirectory: registration.stateDirectory, provider: provider.name)
        guard let stored = try? file.read() else { return provider }
        known.withLock { $0[provider.name] = $0[provider.name] ?? stored }
        return stored.applied(to: provider)
    }

    private func register(_ provider: ProviderSettings, request: ClientRegistrationRequest, registration: ClientRegistrationSettings,
                          metadata: ProviderMetadata, file: any RegisteredClientSlot, reason: String) throws(ClientRegistrationError) -> RegisteredClient {
        guard let endpoint = metadata.registrationEndpoint else { throw .noRegistrationEndpoint(provider: provider.name) }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let token = registration.initialAccessToken, !token.isEmpty { headers.append(("Authorization", "Bearer " + token)) }
        let response: InboundResponse
        do {
            response = try http.perform(OutboundRequest(method: .post, url: endpoint, headers: headers, body: request.body, endpoint: .registration))
        } catch {
            if case .overloaded(_, let limit) = error { throw .overloaded(provider: provider.name, limit: limit) }
            throw .transport(provider: provider.name, reason: error.description)
        }
        guard response.status == 201 || response.status == 200 else {
            let json = JSONValue.parse(response.body)
            throw .refused(provider: provider.name, status: response.status, error: json?["error"]?.stringValue,
                           description: json?["error_description"]?.stringValue)
        }
        guard let client = RegisteredClient.parse(registrationResponse: response.body, fingerprint: request.fingerprint, now: clock.now()) else {
            throw .malformedResponse(provider: provider.name, status: response.status)
        }
        try file.write(client)
        logger.info("registered a client at the provider (\(reason))",
                    metadata: ["provider": "\(provider.name)", "client_id": "\(client.clientID)", "file": "\(file.path)"])
        return client
    }
}
