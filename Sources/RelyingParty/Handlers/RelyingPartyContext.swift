import Logging

/// Everything the action handlers share: settings and the ports to the world.
/// Built once at start-up; immutable and safe to use from every worker thread.
public struct RelyingPartyContext: Sendable {
    public let settings: Settings
    public let providers: ProviderDirectory
    /// The clients of providers configured with `registration`, registered once and kept in the state directory.
    public let registrar: ClientRegistrar
    /// ID token (and, later, bearer token) signatures, with one key refetch when the provider rotated.
    public let keyVerifier: RotatingKeyVerifier
    public let sessions: SessionManager
    public let loginStates: LoginStateCookies
    public let logoutStates: LogoutStateCookie
    public let store: any KeyValueStore
    public let http: any HTTPTransport
    public let clock: any WallClock
    public let random: any RandomSource
    public let logger: Logger
    public let metrics: any RelyingPartyMetrics
    public let returnURLs: ReturnURLPolicy
    public let identityHeaders: IdentityHeaders
    public let setCookie: SetCookie
    /// The session cookie's name (`cookie.name`, validated when the configuration was read).
    public let sessionCookie: CookieName
    public let upstreamCookies: UpstreamCookies
    /// Bearer tokens of API locations: local JWT checks and cached, single-flight introspection.
    public let accessTokens: AccessTokenVerifier
    /// The trip to the provider's authorization endpoint, for every login.
    let loginStarter: LoginStarter
    /// Every page and error answer people and clients see.
    public let pages: ErrorPages
    /// The session's own access token, refreshed once per session at a time, for
    /// locations that hand it to the application.
    public let sessionAccessTokens: AccessTokenRefresher

    public init(settings: Settings, store: any KeyValueStore, http: any HTTPTransport, clock: any WallClock = SystemClock(),
                random: any RandomSource = SystemRandomSource(), background: any BackgroundRunner = InlineRunner(),
                sleeper: any Sleeper = ThreadSleeper(), registeredClients: any RegisteredClientStorage = UnavailableRegisteredClientStorage(),
                logger: Logger, metrics: any RelyingPartyMetrics = NoMetrics()) {
        self.settings = settings
        self.metrics = metrics
        self.store = store
        self.http = http
        self.clock = clock
        self.random = random
        self.logger = logger
        providers = ProviderDirectory(http: http, clock: clock, logger: logger, runner: background, metrics: metrics)
        keyVerifier = RotatingKeyVerifier(directory: providers, logger: logger)
        registrar = ClientRegistrar(http: http, clock: clock, settings: settings, storage: registeredClients, logger: logger)
        sessions = SessionManager(store: store, settings: settings.session, clock: clock, random: random)
        loginStates = LoginStateCookies(secrets: settings.session.secrets, cookie: settings.cookie, login: settings.login, random: random)
        logoutStates = LogoutStateCookie(secrets: settings.session.secrets, cookie: settings.cookie, login: settings.login, random: random)
        pages = ErrorPages(settings: settings.pages, startURL: settings.publicOrigin.serialized + "/", random: random, logger: logger)
        loginStarter = LoginStarter(store: store, providers: providers, registrar: registrar, loginStates: loginStates, random: random, clock: clock,
                                    redirectURI: settings.redirectURI, pages: pages, logger: logger, metrics: metrics)
        returnURLs = ReturnURLPolicy(publicOrigin: settings.publicOrigin, allowedOrigins: settings.allowedReturnOrigins)
        identityHeaders = IdentityHeaders(settings: settings.headers)
        setCookie = SetCookie(settings: settings.cookie)
        guard let sessionCookie = CookieName(validating: settings.cookie.name) else {
            preconditionFailure("cookie.name is validated when the configuration is read")
        }
        self.sessionCookie = sessionCookie
        upstreamCookies = UpstreamCookies(settings: settings.cookie)
        accessTokens = AccessTokenVerifier(
            providers: providers, registrar: registrar, keyVerifier: keyVerifier, http: http,
            cache: AccessTokenCache(store: store, secrets: settings.session.secrets, clock: clock, random: random),
            clock: clock, clockSkewSeconds: settings.clockSkewSeconds, flightWaitMilliseconds: settings.api.flightWaitMilliseconds, logger: logger, metrics: metrics)
        sessionAccessTokens = AccessTokenRefresher(
            sessions: sessions, tokens: SessionTokenStore(store: store, secrets: settings.session.secrets, clock: clock, random: random),
            providers: providers, registrar: registrar, tokenEndpoint: TokenEndpointClient(http: http, clock: clock, random: random), clock: clock, sleeper: sleeper,
            settings: settings.tokenRefresh, logger: logger)
    }
}
