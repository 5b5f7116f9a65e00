import ArgumentParser
import Configuration
import Foundation
import HTTPClient
import Logging
import RelyingParty

/// `oidc-fcgi register`: registers the client of a provider configured with
/// `registration` now (or shows the one already stored in its state directory),
/// so an operator can prepare or check it before the first login. Prints the
/// client without its secret or registration access token.
struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register the client at a provider configured with registration (or show the stored one), without printing secrets.")

    @Option(name: .shortAndLong, help: "The configuration file (YAML).")
    var config: String = "/etc/oidc-fcgi/config.yaml"

    @Option(help: "The provider (providers[].name); default: the first.")
    var provider: String?

    @Flag(help: "Register a new client even when a usable one is stored (the stored one is replaced).")
    var renew = false

    func run() throws {
        let service: ServiceConfiguration
        do { service = try ConfigurationLoader.load(file: config) } catch {
            fail("\(error)", code: 2)
        }
        guard let settings = service.settings.provider(named: provider) else {
            let names = service.settings.providers.map(\.name).joined(separator: ", ")
            fail("no provider named \(provider ?? "") in \(config); configured: \(names)", code: 2)
        }
        guard let registration = settings.registration else {
            fail("provider \(settings.name) has a configured client_id, not registration", code: 2)
        }
        var logger = Logger(label: "oidc-fcgi")
        logger.logLevel = .error
        CurlHTTPClient.globalInit()
        let http = CurlHTTPClient(connectTimeoutMs: service.httpConnectTimeoutMs, timeoutMs: service.httpTimeoutMs, caFile: service.caFile,
                                  userAgent: "oidc-fcgi/\(OIDCFCGIVersion.current)")
        let metadata: ProviderMetadata
        do { metadata = try ProviderDirectory(http: http, clock: SystemClock(), logger: logger).snapshot(for: settings).metadata } catch {
            fail("cannot read provider \(settings.name)'s metadata: \(error)", code: 1)
        }
        let registrar = ClientRegistrar(http: http, clock: SystemClock(), settings: service.settings, storage: RegisteredClientFiles(), logger: logger)
        let client: RegisteredClient
        do { client = try registrar.registeredClient(for: settings, registration: registration, metadata: metadata, renew: renew) } catch {
            fail("\(error)", code: 1)
        }
        let file = RegisteredClientFile(stateDirectory: registration.stateDirectory, provider: settings.name)
        var lines = [
            "provider: \(settings.name)",
            "client_id: \(client.clientID)",
            "client_secret: \(client.clientSecret == nil ? "none" : "(stored, not shown)")",
            "token_endpoint_auth_method: \(client.tokenEndpointAuthMethod ?? registration.tokenEndpointAuthMethod.rawValue)",
            "client_secret_expires_at: \(client.clientSecretExpiresAt == 0 ? "never" : String(client.clientSecretExpiresAt))",
            "registered_at: \(client.registeredAt)",
            "file: \(file.path)",
        ]
        if let uri = client.registrationClientURI { lines.append("registration_client_uri: \(uri)") }
        print(lines.joined(separator: "\n"))
    }

    private func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("oidc-fcgi register: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
