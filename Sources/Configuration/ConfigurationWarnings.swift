import RelyingParty

/// Settings that are valid but weaken security, said out loud by `check-config`
/// and logged at start-up.
public enum ConfigurationWarnings {
    public static func of(_ service: ServiceConfiguration) -> [String] {
        service.settings.providers.compactMap { provider in
            guard provider.acceptsUnsignedIDTokens else { return nil }
            return "providers[\(provider.name)].id_token_signing_algs lists none: unsigned ID tokens are accepted from this provider "
                + "when they come straight from an https token endpoint (never over plain http); list only signing algorithms unless the provider cannot sign"
        }
    }
}
