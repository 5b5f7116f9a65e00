import ArgumentParser
import Configuration
import Foundation
import HTTPClient
import Logging
import RelyingParty

/// `oidc-fcgi token`: an access token for the configured client itself (the client
/// credentials grant), so an operator can try a protected API from the shell:
/// `curl -H "Authorization: Bearer $(oidc-fcgi token -c /etc/oidc-fcgi/config.yaml)" …`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Obtain an access token with the client credentials grant and print it.")

    @Option(name: .shortAndLong, help: "The configuration file (YAML).")
    var config: String = "/etc/oidc-fcgi/config.yaml"

    @Option(help: "The provider (providers[].name); default: the first.")
    var provider: String?

    @Option(help: "The scopes to ask for, space-separated; default: none (the provider's choice).")
    var scope: String?

    @Flag(help: "Print the provider's whole JSON answer instead of the token alone.")
    var json = false

    func run() throws {
        let service: ServiceConfiguration
        do { service = try ConfigurationLoader.load(file: config) } catch {
            fail("\(error)", code: 2)
        }
        guard let settings = service.settings.provider(named: provider) else {
            let names = service.settings.providers.map(\.name).joined(separator: ", ")
            fail("no provider named \(provider ?? "") in \(config); configured: \(names)", code: 2)
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
        var client: ProviderSettings
        do { client = try registrar.client(for: settings, metadata: metadata) } catch {
            fail("\(error)", code: 1)
        }
        // A registered client the provider forgot is registered again, and the grant tried once more.
        for attempt in 1...2 {
            do {
                let granted = try TokenEndpointClient(http: http).clientCredentials(scope: scope, provider: client, metadata: metadata)
                print(json ? String(decoding: granted.answer, as: UTF8.self) : granted.accessToken)
                return
            } catch {
                if case .clientAuthenticationRefused = error, attempt == 1, client.registration != nil {
                    do { client = try registrar.replace(rejected: client, metadata: metadata) } catch { fail("\(error)", code: 1) }
                    continue
                }
                fail("provider \(settings.name): \(error) (is the client allowed the client_credentials grant?)", code: 1)
            }
        }
    }

    private func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("oidc-fcgi token: \(message)\n".utf8))
        Foundation.exit(code)
    }
}
