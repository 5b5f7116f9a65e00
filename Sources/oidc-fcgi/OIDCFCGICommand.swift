import ArgumentParser
import Configuration
import FastCGIServer
import Foundation
import Logging

struct OIDCFCGICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oidc-fcgi",
        abstract: "OpenID Connect single sign-on for nginx (auth_request) and Apache, as a FastCGI program.",
        version: OIDCFCGIVersion.current,
        subcommands: [Serve.self, CheckConfig.self, TokenCommand.self, ClientJWKSCommand.self, RegisterCommand.self]
    )
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the FastCGI server.")

    @Option(name: .shortAndLong, help: "The configuration file (YAML).")
    var config: String = "/etc/oidc-fcgi/config.yaml"

    func run() throws {
        let service: ServiceConfiguration
        do { service = try ConfigurationLoader.load(file: config) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        let logger = Wiring.bootstrapLogging(level: service.logLevel)
        for warning in ConfigurationWarnings.of(service) { logger.warning("\(warning)") }
        let responder: Wiring.Built
        do { responder = try Wiring.build(service, logger: logger) } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        let server = FastCGIServer(
            options: .init(
                listen: service.listen, socketMode: service.socketMode, workers: service.workers,
                readTimeoutMilliseconds: service.fastcgiReadTimeoutMs, shutdownGraceSeconds: service.shutdownGraceSeconds),
            logger: logger, responder: responder.respond)
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

    func run() throws {
        do {
            let service = try ConfigurationLoader.load(file: file)
            let names = service.settings.providers.map(\.name).joined(separator: ", ")
            for warning in ConfigurationWarnings.of(service) { print("warning: \(warning)") }
            print("\(file): valid (listen \(service.listen), \(service.workers) workers, providers: \(names))")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

enum OIDCFCGIVersion {
    static let current = "0.1.0"
}
