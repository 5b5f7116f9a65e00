import ArgumentParser
import Configuration
import Foundation
import JOSE

/// `oidc-fcgi client-jwks`: the public half of a provider's `client_private_key_file`
/// as a JWK set, to register at the provider for private_key_jwt (`jwks` in the
/// client registration). Never prints the private key.
struct ClientJWKSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client-jwks",
        abstract: "Print the public JWK set of a provider's client_private_key_file (for private_key_jwt registration).")

    @Option(name: .shortAndLong, help: "The configuration file (YAML).")
    var config: String = "/etc/oidc-fcgi/config.yaml"

    @Option(help: "The provider (providers[].name); default: the first.")
    var provider: String?

    func run() throws {
        let service: ServiceConfiguration
        do { service = try ConfigurationLoader.load(file: config) } catch {
            fail("\(error)")
        }
        guard let settings = service.settings.provider(named: provider) else {
            let names = service.settings.providers.map(\.name).joined(separator: ", ")
            fail("no provider named \(provider ?? "") in \(config); configured: \(names)")
        }
        guard let key = settings.clientSigningKey else {
            fail("provider \(settings.name) has no client_private_key_file")
        }
        print(ClientSigningKey.publicKeySet([key]))
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("oidc-fcgi client-jwks: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
