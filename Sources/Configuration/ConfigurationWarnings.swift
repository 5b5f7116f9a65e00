import RelyingParty

/// Settings that are valid but weaken security or can strand users, said out
/// loud by `check-config` and logged at start-up.
public enum ConfigurationWarnings {
    public static func of(_ service: ServiceConfiguration) -> [String] {
        var warnings = service.settings.providers.compactMap { provider -> String? in
            guard provider.acceptsUnsignedIDTokens else { return nil }
            return "providers[\(provider.name)].id_token_signing_algs lists none: unsigned ID tokens are accepted from this provider "
                + "when they come straight from an https token endpoint (never over plain http); list only signing algorithms unless the provider cannot sign"
        }
        // Only the web server's config says whether a location lists several providers; with one configured none can.
        if service.settings.providers.count > 1, let template = service.settings.pages.template, !template.hasList("providers") {
            warnings.append("pages.error_template has no {{#providers}}…{{/providers}} section: a location that lists several providers "
                + "(OIDC_PROVIDER \"a b\") shows its choice page without a link to any of them")
        }
        return warnings
    }
}
