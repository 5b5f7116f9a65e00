/// The pages oidc-fcgi shows people (`pages:` in the configuration).
public struct PageSettings: Sendable {
    /// Shown on every page, so people know which site it belongs to
    /// (by default the host of `public_url`).
    public var siteName: String
    /// The operator's template (`pages.error_template`), parsed when the
    /// configuration is read; nil for the built-in one.
    public var template: PageTemplate?

    public init(siteName: String = "", template: PageTemplate? = nil) {
        self.siteName = siteName
        self.template = template
    }
}
