import Foundation
import Testing
import Configuration
import RelyingParty

/// A complete, valid file; each test changes one thing in it.
private let validYAML = """
listen: tcp:127.0.0.1:9000
workers: 3
public_url: https://app.example.com
session:
  secrets: ["0123456789abcdef0123456789abcdef-first"]
providers:
  - name: corp
    issuer: https://idp.example.com
    client_id: app
    client_secret: s3cret
"""

private func problems(_ yaml: String) -> [ConfigurationProblem] {
    do {
        _ = try ConfigurationLoader.parse(yaml: yaml)
        return []
    } catch {
        return error.problems
    }
}

private func paths(_ yaml: String) -> [String] { problems(yaml).map(\.path) }

@Suite struct ConfigurationLoaderTests {
    @Test func validFileLoadsWithDefaults() throws {
        let config = try ConfigurationLoader.parse(yaml: validYAML)
        #expect(config.listen == .tcp(host: "127.0.0.1", port: 9000))
        #expect(config.workers == 3)
        #expect(config.store == .memory(capacity: 100_000))
        #expect(config.settings.redirectURI == "https://app.example.com/oidc/callback")
        #expect(config.settings.cookie.secure)
        #expect(config.settings.cookie.name == "oidc_session")
        #expect(!config.settings.cookie.persistent, "a browser-session cookie by default")
        #expect(config.settings.providers.map(\.name) == ["corp"])
        #expect(config.settings.providers[0].clientAuthentication == nil, "chosen from what the provider advertises")
        #expect(config.settings.providers[0].clientAuthentication(advertised: nil) == .clientSecretBasic)
        #expect(config.settings.providers[0].scopes == ["openid", "email", "profile"])
        #expect(config.settings.session.inactivityTimeoutSeconds == 3600)
    }

    @Test(arguments: [
        ("lisen: tcp:127.0.0.1:1\n", "lisen"),
        ("cookie:\n  nmae: x\n", "cookie.nmae"),
        ("http:\n  timout: 1s\n", "http.timout"),
    ])
    func unknownKeyIsNamed(extra: String, path: String) {
        let found = problems(validYAML + "\n" + extra)
        #expect(found.contains { $0.path == path && $0.message.contains("not a known setting") }, "\(found)")
    }

    @Test func refreshMarginDefaultsToAMinuteAndTheLockOutlivesAProviderCall() throws {
        let defaults = try ConfigurationLoader.parse(yaml: validYAML).settings.tokenRefresh
        #expect(defaults.marginSeconds == 60)
        #expect(defaults.lockSeconds == 7, "http.timeout 5 s + 2 s")
        let set = try ConfigurationLoader.parse(yaml: validYAML.replacingOccurrences(
            of: "session:\n", with: "http:\n  timeout: 2500ms\nsession:\n  refresh_margin: 2m\n")).settings.tokenRefresh
        #expect(set.marginSeconds == 120)
        #expect(set.lockSeconds == 5)
        #expect(paths(validYAML.replacingOccurrences(of: "session:\n", with: "session:\n  refresh_margin: 2h\n")) == ["session.refresh_margin"])
    }

    @Test func persistentCookieIsABooleanSetting() throws {
        #expect(try ConfigurationLoader.parse(yaml: validYAML + "\ncookie:\n  persistent: true\n").settings.cookie.persistent)
        #expect(paths(validYAML + "\ncookie:\n  persistent: forever\n") == ["cookie.persistent"])
    }

    @Test func unknownKeyInProviderIsNamedWithIndex() {
        let found = paths(validYAML + "\n    clientid: typo\n")
        #expect(found == ["providers[0].clientid"])
    }

    @Test(arguments: [
        ("listen: tcp:127.0.0.1:9000", "listen: 9000", "listen"),
        ("listen: tcp:127.0.0.1:9000", "listen: unix:relative.sock", "listen"),
        ("workers: 3", "workers: 0", "workers"),
        ("workers: 3", "workers: many", "workers"),
        ("public_url: https://app.example.com", "public_url: app.example.com", "public_url"),
        ("public_url: https://app.example.com", "public_url: https://app.example.com/path", "public_url"),
    ])
    func badTopLevelValueIsNamed(original: String, replacement: String, path: String) {
        #expect(paths(validYAML.replacingOccurrences(of: original, with: replacement)) == [path])
    }

    @Test func durationsAcceptUnitsAndRejectNonsense() throws {
        let ok = try ConfigurationLoader.parse(yaml: validYAML.replacingOccurrences(
            of: "session:\n", with: "session:\n  inactivity_timeout: 15m\n  max_lifetime: 2h\n  recheck_interval: 10m\n"))
        #expect(ok.settings.session.inactivityTimeoutSeconds == 900)
        #expect(ok.settings.session.maxLifetimeSeconds == 7200)
        #expect(ok.settings.session.recheckIntervalSeconds == 600)
        #expect(try ConfigurationLoader.parse(yaml: validYAML).settings.session.recheckIntervalSeconds == 0)
        let bad = problems(validYAML.replacingOccurrences(of: "session:\n", with: "session:\n  inactivity_timeout: soon\n"))
        #expect(bad.map(\.path) == ["session.inactivity_timeout"])
        #expect(bad[0].message.contains("duration"))
    }

    @Test func shortSecretIsRejected() {
        let found = problems(validYAML.replacingOccurrences(of: "0123456789abcdef0123456789abcdef-first", with: "tooshort"))
        #expect(found.map(\.path) == ["session.secrets[0]"])
    }

    @Test func missingSessionAndProvidersAreNamed() {
        let found = paths("public_url: https://app.example.com\n")
        #expect(found.contains("session"))
        #expect(found.contains("providers"))
    }

    @Test func missingProviderFieldsAreNamed() {
        let yaml = validYAML.replacingOccurrences(of: "\n    client_id: app\n    client_secret: s3cret", with: "")
        #expect(Set(paths(yaml)) == ["providers[0].client_id", "providers[0].client_secret"])
    }

    /// `none` is an explicit opt-in (see ClientAuthenticationConfigurationTests), spelled exactly.
    @Test func noneAlgorithmIsOnlyAcceptedSpelledExactly() {
        #expect(paths(validYAML + "\n    id_token_signing_algs: [RS256, None]\n") == ["providers[0].id_token_signing_algs[1]"])
        #expect(paths(validYAML + "\n    id_token_signing_algs: [RS256, none]\n").isEmpty)
    }

    @Test func unknownAlgorithmIsRejected() {
        #expect(paths(validYAML + "\n    id_token_signing_algs: [RS1]\n").contains("providers[0].id_token_signing_algs[0]"))
    }

    @Test func secureCookieOverPlainHTTPIsRejected() {
        let yaml = validYAML.replacingOccurrences(of: "https://app.example.com", with: "http://127.0.0.1:8080") + "\ncookie:\n  secure: true\n"
        #expect(paths(yaml) == ["cookie.secure"])
        // Plain http without an explicit `secure` defaults to insecure cookies, which is allowed.
        #expect(paths(validYAML.replacingOccurrences(of: "https://app.example.com", with: "http://127.0.0.1:8080")).isEmpty)
    }

    @Test func memcachedNeedsServersInHostPortForm() throws {
        let base = validYAML.replacingOccurrences(of: "session:\n", with: "session:\n  store: memcached\n")
        #expect(paths(base) == ["session.memcached"])
        let bad = base + "\nsession_extra: 1\n"
        #expect(paths(bad).contains("session_extra"))
        let withServers = validYAML.replacingOccurrences(
            of: "session:\n", with: "session:\n  store: memcached\n  memcached:\n    servers: [\"127.0.0.1:11211\", \"nohost\"]\n")
        #expect(paths(withServers) == ["session.memcached.servers[1]"])
        let good = try ConfigurationLoader.parse(yaml: validYAML.replacingOccurrences(
            of: "session:\n", with: "session:\n  store: memcached\n  memcached:\n    servers: [\"127.0.0.1:11211\", \"/run/mc.sock\"]\n    timeout: 250ms\n"))
        #expect(good.store == .memcached(servers: ["127.0.0.1:11211", "/run/mc.sock"], connectTimeoutMs: 500, timeoutMs: 250, keyPrefix: "oidc-fcgi:", poolSize: 0))
    }

    @Test func memcachedRetryIntervalIsReadAndBounded() throws {
        let yaml = { (interval: String) in
            validYAML.replacingOccurrences(
                of: "session:\n", with: "session:\n  store: memcached\n  memcached:\n    servers: [\"127.0.0.1:11211\"]\n    retry_interval: \(interval)\n")
        }
        let good = try ConfigurationLoader.parse(yaml: yaml("750ms"))
        #expect(good.store == .memcached(servers: ["127.0.0.1:11211"], connectTimeoutMs: 500, timeoutMs: 500, keyPrefix: "oidc-fcgi:", poolSize: 0, retryIntervalMs: 750))
        #expect(paths(yaml("0s")) == ["session.memcached.retry_interval"])
        #expect(paths(yaml("2m")) == ["session.memcached.retry_interval"])
    }

    @Test func memcachedReplicasNeedAServerForEachCopy() throws {
        let yaml = { (servers: String, replicas: String) in
            validYAML.replacingOccurrences(
                of: "session:\n", with: "session:\n  store: memcached\n  memcached:\n    servers: [\(servers)]\n    replicas: \(replicas)\n")
        }
        let three = "\"10.0.0.1:11211\", \"10.0.0.2:11211\", \"10.0.0.3:11211\""
        let good = try ConfigurationLoader.parse(yaml: yaml(three, "1"))
        #expect(good.store == .memcached(
            servers: ["10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"], connectTimeoutMs: 500, timeoutMs: 500,
            keyPrefix: "oidc-fcgi:", poolSize: 0, replicas: 1))
        #expect(paths(yaml(three, "2")).isEmpty)
        #expect(paths(yaml(three, "3")) == ["session.memcached.replicas"])
        #expect(paths(yaml("\"10.0.0.1:11211\"", "1")) == ["session.memcached.replicas"])
        #expect(paths(yaml(three, "-1")) == ["session.memcached.replicas"])
        #expect(paths(yaml(three, "one")) == ["session.memcached.replicas"])
        #expect(paths(yaml("\"10.0.0.1:11211\", \"10.0.0.1:11211\"", "0")) == ["session.memcached.servers"])
    }

    @Test func fastcgiTimeoutsDefaultAndAreBounded() throws {
        let defaults = try ConfigurationLoader.parse(yaml: validYAML)
        #expect(defaults.fastcgiReadTimeoutMs == 5000)
        #expect(defaults.shutdownGraceSeconds == 10)
        let set = try ConfigurationLoader.parse(yaml: validYAML + "\nfastcgi:\n  read_timeout: 750ms\n  shutdown_grace: 30s\n")
        #expect(set.fastcgiReadTimeoutMs == 750)
        #expect(set.shutdownGraceSeconds == 30)
        #expect(paths(validYAML + "\nfastcgi:\n  read_timeout: 10ms\n") == ["fastcgi.read_timeout"])
        #expect(paths(validYAML + "\nfastcgi:\n  read_timeout: 6m\n") == ["fastcgi.read_timeout"])
        #expect(paths(validYAML + "\nfastcgi:\n  shutdown_grace: 0s\n") == ["fastcgi.shutdown_grace"])
        #expect(paths(validYAML + "\nfastcgi:\n  shutdown_grace: 11m\n") == ["fastcgi.shutdown_grace"])
        #expect(paths(validYAML + "\nfastcgi:\n  keepalive: 1s\n") == ["fastcgi.keepalive"])
    }

    @Test func unknownStoreIsRejected() {
        #expect(paths(validYAML.replacingOccurrences(of: "session:\n", with: "session:\n  store: redis\n")) == ["session.store"])
    }

    @Test func clientSecretFileIsReadAndMissingFileIsNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oidc-fcgi-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "from-file\n".write(to: directory.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        let yaml = validYAML.replacingOccurrences(of: "client_secret: s3cret", with: "client_secret_file: secret.txt")
        let file = directory.appendingPathComponent("oidc-fcgi.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let config = try ConfigurationLoader.load(file: file.path)
        #expect(config.settings.providers[0].clientSecret == "from-file")

        try yaml.replacingOccurrences(of: "secret.txt", with: "missing.txt").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: file.path) }
    }

    @Test func bothSecretAndSecretFileIsAnError() {
        #expect(paths(validYAML + "\n    client_secret_file: /nonexistent\n").contains("providers[0].client_secret_file"))
    }

    @Test func duplicateProviderNamesAreRejected() {
        let yaml = validYAML + """

          - name: corp
            issuer: https://other.example.com
            client_id: app2
            client_secret: x
        """
        #expect(paths(yaml) == ["providers[1].name"])
    }

    @Test func protocolParametersCannotBeOverridden() {
        #expect(paths(validYAML + "\n    auth_params:\n      state: fixed\n") == ["providers[0].auth_params.state"])
    }

    @Test func headerMappingIsReadInOrder() throws {
        let config = try ConfigurationLoader.parse(yaml: validYAML + "\nheaders:\n  user: X-User\n  claims:\n    X-Email: email\n    X-Groups: groups\n")
        #expect(config.settings.headers.userHeader == "X-User")
        #expect(config.settings.headers.claimHeaders.map(\.header) == ["X-Email", "X-Groups"])
        #expect(paths(validYAML + "\nheaders:\n  claims:\n    \"Bad Header\": email\n") == ["headers.claims.Bad Header"])
    }

    @Test func theIssuerHeaderIsOnByDefaultRenamedOrTurnedOff() throws {
        #expect(try ConfigurationLoader.parse(yaml: validYAML).settings.headers.issuerHeader == "X-Remote-Issuer")
        #expect(try ConfigurationLoader.parse(yaml: validYAML + "\nheaders:\n  issuer: X-Idp\n").settings.headers.issuerHeader == "X-Idp")
        #expect(try ConfigurationLoader.parse(yaml: validYAML + "\nheaders:\n  issuer: \"\"\n").settings.headers.issuerHeader == nil)
        #expect(paths(validYAML + "\nheaders:\n  issuer: \"Bad Header\"\n") == ["headers.issuer"])
        #expect(paths(validYAML + "\nheaders:\n  claims:\n    X-Remote-Issuer: iss\n") == ["headers.claims.X-Remote-Issuer"])
    }

    @Test func aProvidersDisplayNameDefaultsToItsNameAndIsBounded() throws {
        #expect(try ConfigurationLoader.parse(yaml: validYAML).settings.providers[0].displayName == "corp")
        let named = try ConfigurationLoader.parse(yaml: validYAML + "\n    display_name: \"Corp <Staff> & Co\"\n")
        #expect(named.settings.providers[0].displayName == "Corp <Staff> & Co")
        #expect(paths(validYAML + "\n    display_name: \"\"\n") == ["providers[0].display_name"])
        #expect(paths(validYAML + "\n    display_name: \"a\\nb\"\n") == ["providers[0].display_name"])
        #expect(paths(validYAML + "\n    display_name: \(String(repeating: "x", count: 101))\n") == ["providers[0].display_name"])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let yaml = validYAML.replacingOccurrences(of: "workers: 3", with: "workers: -1") + "\nlog_level: loud\nbogus: 1\n"
        #expect(Set(paths(yaml)) == ["workers", "log_level", "bogus"])
    }

    @Test func errorDescriptionNamesFileAndKeys() {
        do {
            _ = try ConfigurationLoader.parse(yaml: "workers: x\n", file: "/etc/oidc-fcgi.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/etc/oidc-fcgi.yaml is not a valid oidc-fcgi configuration"))
            #expect(error.description.contains("workers: must be a whole number"))
        }
    }

    @Test func nonMappingAndInvalidYAMLAreClearErrors() {
        #expect(problems("- a\n- b\n")[0].message.contains("mapping"))
        #expect(problems("a: [unclosed\n")[0].message.contains("not valid YAML"))
    }
}
