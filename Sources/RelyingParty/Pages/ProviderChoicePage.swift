/// The page a browser without a session gets at a location open to several
/// providers: one link per provider, each a login link (`/oidc/login`) back to
/// the page that was asked for. Rendered through the same template as every
/// other page, the list by its `{{#providers}}` section, every value escaped.
struct ProviderChoicePage {
    /// The login link endpoint (`nginx/oidc-fcgi-server.conf`, `apache/oidc-fcgi-endpoints.conf`).
    static let loginLinkPath = "/oidc/login"

    static let title = "Choose how to sign in"
    static let message = "This page accepts sign-in with more than one identity provider. Choose the one you have an account with."

    /// `returnTo` must already have passed the return-URL policy; the login link checks it again.
    /// A location's step-up demand travels with each link, so the login it starts meets it.
    static func response(providers: [ProviderSettings], returnTo: String, stepUp: StepUpRequirement = StepUpRequirement(maxAge: nil, acrValues: []),
                         pages: ErrorPages) -> Response {
        var demand: [(String, String)] = []
        if let maxAge = stepUp.maxAge { demand.append(("max_age", String(maxAge))) }
        if !stepUp.acrValues.isEmpty { demand.append(("acr_values", stepUp.acrValues.joined(separator: " "))) }
        let items = providers.map { provider in
            ["provider_name": provider.displayName,
             "provider_url": FormEncoding.append([("provider", provider.name), ("target_link_uri", returnTo)] + demand, to: loginLinkPath)]
        }
        let html = pages.template.render(
            ["status": "401", "title": title, "message": message, "site_name": pages.siteName, "start_url": pages.startURL, "provider_choice": "1"],
            lists: ["providers": items])
        // 401, not 200: the page was not served, and Apache's authorizer would take a 200 for an allow.
        return Response(status: 401, headers: [Response.Header(.cacheControl, "no-store")] + pages.htmlHeaders, body: Array(html.utf8))
    }
}
