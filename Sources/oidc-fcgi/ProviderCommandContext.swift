import Configuration
import Foundation
import HTTPClient
import Logging
import RelyingParty

/// What the commands that call one provider from the shell (`token`, `register`)
/// share: the configuration, the provider, an HTTP client, the provider's
/// metadata and its registered-client storage. Exits with a message naming the
/// command: 2 for the configuration, 1 for the provider.
struct ProviderCommandContext {
    let command: String
    let service: ServiceConfiguration
    let provider: ProviderSettings
    let http: CurlHTTPClient
    let logger: Logger
    let metadata: ProviderMetadata

    init(command: String, config: String, provider name: String?) {
        self.command = command
        do { service = try ConfigurationLoader.load(file: config) } catch {
            Self.fail("\(error)", command: command, code: 2)
        }
        guard let provider = service.settings.provider(named: name) else {
            let names = service.settings.providers.map(\.name).joined(separator: ", ")
            Self.fail("no provider named \(name ?? "") in \(config); configured: \(names)", command: command, code: 2)
        }
        self.provider = provider
        var logger = Logger(label: "oidc-fcgi")
        logger.logLevel = .error
        self.logger = logger
        CurlHTTPClient.globalInit()
        http = CurlHTTPClient(connectTimeoutMs: service.httpConnectTimeoutMs, timeoutMs: service.httpTimeoutMs, caFile: service.caFile,
                              userAgent: "oidc-fcgi/\(OIDCFCGIVersion.current)")
        do { metadata = try ProviderDirectory(http: http, clock: SystemClock(), logger: logger).snapshot(for: provider).metadata } catch {
            Self.fail("cannot read provider \(provider.name)'s metadata: \(error)", command: command, code: 1)
        }
    }

    /// Registers, or reads the stored registration of, providers configured with `registration`.
    func registrar() -> ClientRegistrar {
        ClientRegistrar(http: http, clock: SystemClock(), settings: service.settings, storage: RegisteredClientFiles(), logger: logger)
    }

    func fail(_ message: String, code: Int32) -> Never {
        Self.fail(message, command: command, code: code)
    }

    static func fail(_ message: String, command: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("oidc-fcgi \(command): \(message)\n".utf8))
        Foundation.exit(code)
    }
}
