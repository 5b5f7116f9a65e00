import ArgumentParser
import Configuration
import FastCGIServer
import Foundation
import HTTPClient
import Logging
import RelyingParty

struct OIDCFCGICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oidc-fcgi",
        abstract: "OpenID Connect single sign-on for nginx (auth_request) and Apache, as a FastCGI program.",
        version: OIDCFCGIVersion.current,
        subcommands: [Serve.self, CheckConfig.self, TokenCommand.self, ClientJWKSCommand.self, RegisterCommand.self,
                      NginxConfCommand.self, ApacheConfCommand.self]
    )
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the FastCGI server.")

    @Option(name: .shortAndLong, help: "The configuration file (YAML).")
    var config: String = "/etc/oidc-fcgi/config.yaml"

    func run() throws {
        // First of all: a SIGHUP during start-up is kept for the reload thread, never fatal.
        ReloadSignal.install()
        let service: ServiceConfiguration
        do { service = try ConfigurationLoader.load(file: config) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = Wiring.bootstrapLogging(level: service.logLevel, format: service.logFormat)
        for warning in ConfigurationWarnings.of(service) { logger.warning("\(warning)") }
        // Metrics only with a listener to read them: otherwise nothing is recorded.
        let metrics = service.metricsListen == nil ? nil : OperationsWiring.bootstrapMetrics(service)
        let live: LiveResponder
        do {
            live = LiveResponder(try Wiring.build(service, logger: logger, metrics: metrics?.0))
            if let (_, registry) = metrics {
                // Readiness of whatever configuration is live, reloads included.
                try OperationsWiring.start(service, registry: registry, readiness: { live.built.readiness.failures() }, logger: logger)
            }
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        ConfigurationReloader(file: config, running: service, live: live, logger: logger).start()
        let server = FastCGIServer(
            options: .init(
                listen: service.listen, socketMode: service.socketMode, workers: service.workers,
                readTimeoutMilliseconds: service.fastcgiReadTimeoutMs, shutdownGraceSeconds: service.shutdownGraceSeconds),
            logger: logger, activity: metrics?.0 ?? UnobservedWorkers(), responder: live.respond)
        do { try server.run() } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate a configuration file and exit (0 when valid).")

    @Argument(help: "The configuration file (YAML).")
    var file: String

    @Flag(help: "Also ask each provider: discovery and issuer, signing keys, and whether it accepts the client's credentials.")
    var online = false

    @Option(help: "Warn when the nginx include files in this directory differ from what `nginx-conf` writes for this configuration.")
    var nginxSnippets: String?

    @Option(help: "Warn when the Apache include files in this directory differ from what `apache-conf` writes for this configuration.")
    var apacheSnippets: String?

    func run() throws {
        let service: ServiceConfiguration
        do {
            service = try ConfigurationLoader.load(file: file)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let names = service.settings.providers.map(\.name).joined(separator: ", ")
        for warning in ConfigurationWarnings.of(service) { print("warning: \(warning)") }
        for warning in InstalledSnippetsCheck.warnings(file: file, service: service, nginx: nginxSnippets, apache: apacheSnippets) {
            print("warning: \(warning)")
        }
        let metrics = service.metricsListen.map { ", metrics \($0)" } ?? ""
        print("\(file): valid (listen \(service.listen)\(metrics), \(service.workers) workers, providers: \(names))")
        guard online else { return }
        var logger = Logger(label: "oidc-fcgi")
        logger.logLevel = .critical
        CurlHTTPClient.globalInit()
        let http = CurlHTTPClient(connectTimeoutMs: service.httpConnectTimeoutMs, timeoutMs: service.httpTimeoutMs, caFile: service.caFile,
                                  userAgent: "oidc-fcgi/\(OIDCFCGIVersion.current)")
        let check = ProviderOnlineCheck(http: http, logger: logger)
        var failed = 0
        for provider in service.settings.providers {
            for result in check.run(provider, redirectURI: service.settings.redirectURI) {
                print("\(result.passed ? "ok  " : "FAIL") \(result.provider): \(result.check): \(result.detail)")
                if !result.passed { failed += 1 }
            }
        }
        guard failed == 0 else {
            print("\(file): \(failed) online check\(failed == 1 ? "" : "s") failed")
            throw ExitCode(1)
        }
        print("\(file): every online check passed")
    }
}

enum OIDCFCGIVersion {
    static let current = "0.1.0"
}
