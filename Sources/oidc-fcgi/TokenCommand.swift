import ArgumentParser
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
        let context = ProviderCommandContext(command: "token", config: config, provider: provider)
        let registrar = context.registrar()
        var client: ProviderSettings
        do { client = try registrar.client(for: context.provider, metadata: context.metadata) } catch {
            context.fail("\(error)", code: 1)
        }
        // A registered client the provider forgot is registered again, and the grant tried once more.
        for attempt in 1...2 {
            do {
                let granted = try TokenEndpointClient(http: context.http).clientCredentials(scope: scope, provider: client, metadata: context.metadata)
                print(json ? String(decoding: granted.answer, as: UTF8.self) : granted.accessToken)
                return
            } catch {
                if case .clientAuthenticationRefused = error, attempt == 1, client.registration != nil {
                    do { client = try registrar.replace(rejected: client, metadata: context.metadata) } catch { context.fail("\(error)", code: 1) }
                    continue
                }
                context.fail("provider \(client.name): \(error) (is the client allowed the client_credentials grant?)", code: 1)
            }
        }
    }
}
