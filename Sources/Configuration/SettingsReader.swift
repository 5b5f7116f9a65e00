import FastCGIServer
import Foundation
import JOSE
import RelyingParty
import Yams

/// Turns the top-level mapping into a `ServiceConfiguration`, checking every value.
struct SettingsReader {
    let reader: YAMLReader
    let baseDirectory: String

    func read() -> ServiceConfiguration? {
        let listenText = reader.string("listen", default: "unix:/run/oidc-fcgi/oidc-fcgi.sock")!
        let listen = ListenAddress(listenText)
        if listen == nil {
            reader.problem("listen", "must be tcp:HOST:PORT, unix:/absolute/path or inherited, got \"\(listenText)\"")
        }
        let modeText = reader.string("socket_mode", default: "0660")!
        let socketMode = UInt16(modeText, radix: 8)
        if socketMode == nil || socketMode! > 0o777 {
            reader.problem("socket_mode", "must be an octal file mode such as \"0660\", got \"\(modeText)\"")
        }
        let workers = reader.integer("workers", default: 4, range: 1...256)
        let levelText = reader.string("log_level", default: "info")!
        let logLevel = ServiceConfiguration.LogLevel(rawValue: levelText.lowercased())
        if logLevel == nil { reader.problem("log_level", "must be one of debug, info, warning, error, got \"\(levelText)\"") }
        let formatText = reader.string("log_format", default: "text")!
        let logFormat = ServiceConfiguration.LogFormat(rawValue: formatText.lowercased())
        if logFormat == nil { reader.problem("log_format", "must be text or json, got \"\(formatText.prefix(40))\"") }

        let publicURLText = reader.string("public_url", required: true)
        var origin: Origin?
        if let publicURLText {
            origin = Origin(publicURLText)
            if origin == nil {
                reader.problem("public_url", "must be the site's origin as the browser sees it, like https://app.example.com or http://127.0.0.1:8080 (no path), got \"\(publicURLText)\"")
            }
        }
        let redirectPath = reader.string("redirect_path", default: "/oidc/callback")!
        if !redirectPath.hasPrefix("/") || redirectPath.hasPrefix("//") || redirectPath.contains("?") {
            reader.problem("redirect_path", "must be a path starting with a single / and without a query, got \"\(redirectPath)\"")
        }
        let clockSkew = reader.durationSeconds("clock_skew", default: 60, range: 0...600)
        var allowedReturnOrigins: [Origin] = []
        for (index, text) in reader.stringList("allowed_return_origins", default: []).enumerated() {
            if let allowed = Origin(text) { allowedReturnOrigins.append(allowed) } else {
                reader.problem("allowed_return_origins[\(index)]", "must be an origin like https://other.example.com, got \"\(text)\"")
            }
        }

        var connectTimeout: Int64 = 2000, timeout: Int64 = 5000
        var caFile: String?
        // Leave at least one worker for requests that never need the provider (the auth answer).
        let maxConcurrentLimit = max(1, workers - 1)
        var maxConcurrent = maxConcurrentLimit
        if let http = reader.object("http") {
            connectTimeout = http.durationMilliseconds("connect_timeout", default: 2000, range: 10...60_000)
            timeout = http.durationMilliseconds("timeout", default: 5000, range: 10...120_000)
            maxConcurrent = http.integer("max_concurrent", default: maxConcurrentLimit, range: 1...256)
            if maxConcurrent > maxConcurrentLimit {
                http.problem("max_concurrent", "is \(maxConcurrent), but requests waiting on the provider must leave a worker free for the auth answer: at most workers - 1 (\(maxConcurrentLimit)); raise `workers` or lower this")
            }
            caFile = http.string("ca_file")
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { http.problem("ca_file", "cannot read \(caFile)") }
            http.finish()
        }

        var readTimeout: Int64 = 5000, shutdownGrace: Int64 = 10
        if let fastcgi = reader.object("fastcgi") {
            readTimeout = fastcgi.durationMilliseconds("read_timeout", default: 5000, range: 100...300_000)
            shutdownGrace = fastcgi.durationSeconds("shutdown_grace", default: 10, range: 1...600)
            fastcgi.finish()
        }

        let metricsListen = readMetricsListen(fastcgiListen: listen)

        let cookie = readCookie(secureByDefault: origin?.scheme == "https" || origin == nil)
        if let origin, cookie.secure, origin.scheme == "http" {
            reader.problem("cookie.secure", "is true but public_url is plain http: browsers will not send the cookie back; use https, or set `secure: false` for local testing only")
        }
        let (sessionSettings, store, refreshMargin) = readSession()
        let login = readLogin()
        let headers = readHeaders()
        let providers = readProviders()
        let api = readAPI(flightWaitMilliseconds: Int(timeout))
        let logout = readLogout(origin: origin, allowedReturnOrigins: allowedReturnOrigins, redirectPath: redirectPath)
        let claimRules = readRules()
        let pages = readPages(origin: origin)

        guard let listen, let socketMode, let logLevel, logFormat != nil, let origin, let sessionSettings, let store, let providers, let claimRules else { return nil }
        let settings = Settings(
            publicOrigin: origin, redirectPath: redirectPath, clockSkewSeconds: clockSkew, cookie: cookie,
            session: sessionSettings, login: login, providers: providers, headers: headers, allowedReturnOrigins: allowedReturnOrigins, api: api, logout: logout,
            claimRules: claimRules, pages: pages,
            tokenRefresh: TokenRefreshSettings(marginSeconds: refreshMargin, lockSeconds: TokenRefreshSettings.lockSeconds(forHTTPTimeoutMilliseconds: Int(timeout))))
        var service = ServiceConfiguration(
            listen: listen, socketMode: socketMode, workers: workers, logLevel: logLevel,
            httpConnectTimeoutMs: Int(connectTimeout), httpTimeoutMs: Int(timeout), caFile: caFile, httpMaxConcurrent: maxConcurrent,
            fastcgiReadTimeoutMs: Int(readTimeout), shutdownGraceSeconds: Int(shutdownGrace), store: store, settings: settings)
        service.logFormat = logFormat ?? .text
        service.metricsListen = metricsListen
        return service
    }

    /// `metrics.listen`: where the metrics and health endpoints answer; absent, there are none.
    private func readMetricsListen(fastcgiListen: ListenAddress?) -> ListenAddress? {
        guard let metrics = reader.object("metrics") else { return nil }
        defer { metrics.finish() }
        guard let text = metrics.string("listen", required: true) else { return nil }
        guard let address = ListenAddress(text), case .tcp = address else {
            metrics.problem("listen", "must be tcp:HOST:PORT, such as tcp:127.0.0.1:9464, got \"\(text.prefix(100))\"")
            return nil
        }
        if address == fastcgiListen {
            metrics.problem("listen", "is the FastCGI `listen` address; the metrics need a port of their own")
            return nil
        }
        return address
    }

    private func readCookie(secureByDefault: Bool) -> CookieSettings {
        var cookie = CookieSettings(secure: secureByDefault)
        guard let section = reader.object("cookie") else { return cookie }
        cookie.name = section.string("name", default: cookie.name)!
        if !Self.isToken(cookie.name) { section.problem("name", "must be a cookie name of letters, digits and -_ (got \"\(cookie.name)\")") }
        cookie.statePrefix = section.string("state_prefix", default: cookie.statePrefix)!
        if !Self.isToken(cookie.statePrefix) { section.problem("state_prefix", "must be letters, digits and -_") }
        cookie.secure = section.bool("secure", default: cookie.secure)
        cookie.persistent = section.bool("persistent", default: cookie.persistent)
        cookie.domain = section.string("domain")
        if let domain = cookie.domain, !CookieSyntax.isDomain(domain) {
            section.problem("domain", "must be a host name such as example.com, got \"\(domain)\"")
        }
        let sameSite = section.string("same_site", default: "lax")!
        if let value = CookieSettings.SameSite.allCases.first(where: { $0.rawValue.lowercased() == sameSite.lowercased() }) {
            cookie.sameSite = value
        } else {
            section.problem("same_site", "must be lax, strict or none, got \"\(sameSite)\"")
        }
        if cookie.sameSite == .none && !cookie.secure { section.problem("same_site", "none requires secure: true (browsers reject it otherwise)") }
        if cookie.name.hasPrefix("__Host-") {
            if !cookie.secure { section.problem("name", "a __Host- cookie needs secure: true") }
            if cookie.domain != nil { section.problem("domain", "a __Host- cookie must not set a domain") }
        }
        section.finish()
        return cookie
    }

    private func readSession() -> (SessionSettings?, ServiceConfiguration.StoreConfiguration?, refreshMargin: Int64) {
        guard let section = reader.object("session") else {
            reader.problem("session", "is required: at least `session: { secrets: [\"…32+ random characters…\"] }`")
            return (nil, nil, 60)
        }
        var secrets = section.stringList("secrets", default: [])
        if let file = section.string("secret_file") {
            let path = file.hasPrefix("/") ? file : baseDirectory + "/" + file
            switch SecretFile.read(path) {
            case .success(let text):
                secrets += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            case .failure(let failure):
                section.problem("secret_file", failure.message)
            }
        }
        if secrets.isEmpty {
            section.problem("secrets", "at least one secret is required (or secret_file); generate one with `openssl rand -base64 48`")
        }
        for (index, secret) in secrets.enumerated() where secret.utf8.count < 32 {
            section.problem("secrets[\(index)]", "is too short: use at least 32 random characters")
        }
        let inactivity = section.durationSeconds("inactivity_timeout", default: 3600, range: 1...(30 * 86400))
        let lifetime = section.durationSeconds("max_lifetime", default: 8 * 3600, range: 1...(365 * 86400))
        // 0: never re-check; the provider then vouches only at login.
        let recheck = section.durationSeconds("recheck_interval", default: 0, range: 0...(30 * 86400))
        let refreshMargin = section.durationSeconds("refresh_margin", default: 60, range: 0...3600)
        let kind = section.string("store", default: "memory")!
        var store: ServiceConfiguration.StoreConfiguration?
        let memory = section.object("memory")
        let memcached = section.object("memcached")
        switch kind {
        case "memory":
            store = .memory(capacity: memory?.integer("capacity", default: 100_000, range: 1...10_000_000) ?? 100_000)
        case "memcached":
            if let memcached {
                let servers = memcached.stringList("servers", default: [])
                if servers.isEmpty { memcached.problem("servers", "list at least one memcached server as host:port or /path/to/socket") }
                for (index, server) in servers.enumerated() where !Self.isMemcachedServer(server) {
                    memcached.problem("servers[\(index)]", "must be host:port or an absolute socket path, got \"\(server)\"")
                }
                let replicas = memcached.integer("replicas", default: 0, range: 0...15)
                if replicas > 0, replicas >= servers.count, !servers.isEmpty {
                    memcached.problem(
                        "replicas", "must be fewer than the servers (\(servers.count)): each copy of a session needs a server of its own")
                }
                if Set(servers).count != servers.count {
                    memcached.problem("servers", "lists a server twice")
                }
                store = .memcached(
                    servers: servers,
                    connectTimeoutMs: Int(memcached.durationMilliseconds("connect_timeout", default: 500, range: 1...60_000)),
                    timeoutMs: Int(memcached.durationMilliseconds("timeout", default: 500, range: 1...60_000)),
                    keyPrefix: memcached.string("key_prefix", default: "oidc-fcgi:")!,
                    poolSize: memcached.integer("pool_size", default: 0, range: 0...1024),
                    retryIntervalMs: Int(memcached.durationMilliseconds("retry_interval", default: 2000, range: 100...60_000)),
                    replicas: replicas)
            } else {
                section.problem("memcached", "is required when store is memcached: `memcached: { servers: [\"127.0.0.1:11211\"] }`")
            }
        default:
            section.problem("store", "must be memory or memcached, got \"\(kind)\"")
        }
        if kind != "memory", memory != nil { section.problem("memory", "is set but store is \(kind)") }
        memory?.finish()
        memcached?.finish()
        section.finish()
        return (SessionSettings(secrets: secrets.map { Array($0.utf8) }, inactivityTimeoutSeconds: inactivity, maxLifetimeSeconds: lifetime,
                                 recheckIntervalSeconds: recheck), store, refreshMargin)
    }

    private func readLogin() -> LoginSettings {
        var login = LoginSettings()
        guard let section = reader.object("login") else { return login }
        login.timeoutSeconds = section.durationSeconds("timeout", default: 300, range: 10...3600)
        login.maxPending = section.integer("max_pending", default: 5, range: 1...20)
        section.finish()
        return login
    }

    private func readHeaders() -> HeaderSettings {
        var headers = HeaderSettings()
        guard let section = reader.object("headers") else { return headers }
        let userHeader = section.string("user", default: headers.userHeader.text)!
        if Self.isToken(userHeader), let name = HeaderName(validating: userHeader) { headers.userHeader = name } else {
            section.problem("user", "must be a header name, got \"\(userHeader)\"")
        }
        for (key, keyPath) in [("client_id", \HeaderSettings.clientIDHeader), ("scope", \HeaderSettings.scopeHeader)] {
            let text = section.string(key, default: headers[keyPath: keyPath].text)!
            if Self.isToken(text), let name = HeaderName(validating: text) { headers[keyPath: keyPath] = name } else {
                section.problem(key, "must be a header name, got \"\(text)\"")
            }
        }
        // Empty disables it: for applications that must not learn which provider was used.
        let issuer = section.string("issuer", default: headers.issuerHeader?.text ?? "")!
        if issuer.isEmpty { headers.issuerHeader = nil } else if Self.isToken(issuer), let name = HeaderName(validating: issuer) {
            headers.issuerHeader = name
        } else {
            section.problem("issuer", "must be a header name, or \"\" for none, got \"\(issuer)\"")
        }
        let encoding = section.string("encoding", default: "percent")!
        if let value = HeaderSettings.Encoding(rawValue: encoding) { headers.encoding = value } else {
            section.problem("encoding", "must be percent, base64url or raw, got \"\(encoding)\"")
        }
        headers.maxValueBytes = section.integer("max_value_bytes", default: headers.maxValueBytes, range: 64...65536)
        headers.maxTotalBytes = section.integer("max_total_bytes", default: headers.maxTotalBytes, range: 256...262144)
        if headers.maxTotalBytes < headers.maxValueBytes {
            section.problem("max_total_bytes", "must be at least max_value_bytes (\(headers.maxValueBytes))")
        }
        if let claims = section.object("claims") {
            for (header, node) in claims.pairs() {
                guard case .scalar(let claim) = node, !claim.string.isEmpty else {
                    claims.problem(header, "must name one claim")
                    continue
                }
                guard Self.isToken(header), let name = HeaderName(validating: header) else {
                    claims.problem(header, "is not a valid header name")
                    continue
                }
                if name.matches(headers.userHeader.text) { claims.problem(header, "is already the user header") }
                if let issuerHeader = headers.issuerHeader, name.matches(issuerHeader.text) { claims.problem(header, "is already the issuer header (headers.issuer)") }
                headers.claimHeaders.append((name, claim.string))
            }
        }
        section.finish()
        return headers
    }

    /// `api:` — what every API location shares. Requests waiting on another's introspection
    /// of the same token wait at most the HTTP timeout.
    /// `rules:` — named claim rule sets a location uses as `@name`, compiled now
    /// so that a malformed one stops the start with its name and reason.
    private func readRules() -> ClaimRuleBook? {
        guard let section = reader.object("rules") else { return ClaimRuleBook() }
        var texts: [String: String] = [:]
        for name in section.keys {
            guard let text = section.string(name) else { continue }
            guard Self.isRuleSetName(name) else {
                section.problem(name, "is not a usable rule set name: use letters, digits, _ and - (it is referred to as @\(name.prefix(64)))")
                continue
            }
            texts[name] = text
        }
        section.finish()
        do { return try ClaimRuleBook(named: texts) } catch {
            if case .inRuleSet(let name, let inner) = error { section.problem(name, "\(inner)") } else { reader.problem("rules", "\(error)") }
            return nil
        }
    }

    /// Templates are pages, not sites: a limit that still reads a large page.
    static let maximumTemplateBytes = 256 * 1024

    /// `pages:` — the site name every page shows and the operator's template.
    private func readPages(origin: Origin?) -> PageSettings {
        var pages = PageSettings(siteName: origin?.host ?? "")
        guard let section = reader.object("pages") else { return pages }
        pages.siteName = section.string("site_name", default: pages.siteName)!
        if pages.siteName.utf8.count > 200 || pages.siteName.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            section.problem("site_name", "must be at most 200 bytes without control characters")
        }
        if let path = section.string("error_template") {
            switch BoundedFile.read(path, limit: Self.maximumTemplateBytes) {
            case .failure(.unreadable):
                section.problem("error_template", "cannot read \(path); give a readable HTML file (see the README's placeholders)")
            case .failure(.tooLarge(let limit)):
                section.problem("error_template", "\(path) is larger than \(BoundedFile.describe(limit)); a page template is a few kilobytes")
            case .success(let bytes):
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    section.problem("error_template", "\(path) is not UTF-8 text")
                    break
                }
                do { pages.template = try PageTemplate(parsing: text) } catch {
                    section.problem("error_template", "\(path): \(error)")
                }
            }
        }
        section.finish()
        return pages
    }

    static func isRuleSetName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
        }
    }

    private func readAPI(flightWaitMilliseconds: Int) -> APISettings {
        var api = APISettings(flightWaitMilliseconds: flightWaitMilliseconds)
        guard let section = reader.object("api") else { return api }
        api.realm = section.string("realm", default: api.realm)!
        if api.realm.isEmpty || api.realm.utf8.count > 128 || api.realm.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            section.problem("realm", "must be 1-128 characters without quotes, backslashes or control characters (it is sent in WWW-Authenticate)")
        }
        section.finish()
        return api
    }

    /// `logout:` — the logout locations' paths, where the browser lands, POST-only mode.
    private func readLogout(origin: Origin?, allowedReturnOrigins: [Origin], redirectPath: String) -> LogoutSettings {
        var logout = LogoutSettings()
        guard let section = reader.object("logout") else { return logout }
        var taken = [redirectPath: "redirect_path"]
        func path(_ key: String, default fallback: String) -> String {
            let value = section.string(key, default: fallback)!
            if !value.hasPrefix("/") || value.hasPrefix("//") || value.contains("?") || value.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
                section.problem(key, "must be a path starting with a single / and without a query, got \"\(value.prefix(200))\"")
            } else if let other = taken[value] {
                section.problem(key, "must differ from \(other)")
            } else {
                taken[value] = other(key)
            }
            return value
        }
        func other(_ key: String) -> String { key == "path" ? "logout.path" : "logout.\(key)" }
        logout.path = path("path", default: logout.path)
        logout.backchannelPath = path("backchannel_path", default: logout.backchannelPath)
        logout.frontchannelPath = path("frontchannel_path", default: logout.frontchannelPath)
        logout.postLogoutURL = section.string("post_logout_url", default: nil)
        if let origin, let url = logout.postLogoutURL, ReturnURLPolicy(publicOrigin: origin, allowedOrigins: allowedReturnOrigins).resolve(url) == nil {
            section.problem("post_logout_url", "must be a path on this site or a URL on public_url's origin or an allowed_return_origins entry, got \"\(url.prefix(200))\"")
        }
        logout.postOnly = section.bool("post_only", default: false)
        section.finish()
        return logout
    }

    private func readProviders() -> [ProviderSettings]? {
        guard let list = reader.objectList("providers"), !list.isEmpty else {
            reader.problem("providers", "list at least one identity provider (name, issuer, client_id, client_secret)")
            return nil
        }
        var providers: [ProviderSettings] = []
        var names: Set<String> = []
        for section in list {
            if let provider = ProviderReader(reader: section, baseDirectory: baseDirectory).read() {
                if !names.insert(provider.name).inserted { section.problem("name", "\"\(provider.name)\" is used by another provider") }
                providers.append(provider)
            }
            section.finish()
        }
        return providers.count == list.count ? providers : nil
    }

    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }
    }

    static func isMemcachedServer(_ text: String) -> Bool {
        if text.hasPrefix("/") { return true }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return false }
        return colon != text.startIndex
    }
}
