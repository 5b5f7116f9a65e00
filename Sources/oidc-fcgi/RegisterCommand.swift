import ArgumentParser
import Configuration
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
        let context = ProviderCommandContext(command: "register", config: config, provider: provider)
        let settings = context.provider
        guard let registration = settings.registration else {
            context.fail("provider \(settings.name) has a configured client_id, not registration", code: 2)
        }
        let client: RegisteredClient
        do {
            client = try context.registrar().registeredClient(for: settings, registration: registration, metadata: context.metadata, renew: renew)
        } catch {
            context.fail("\(error)", code: 1)
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
}
