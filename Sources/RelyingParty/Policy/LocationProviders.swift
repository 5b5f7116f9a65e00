/// The providers a location accepts, from its `OIDC_PROVIDER` parameter: one
/// configured provider name, or several separated by spaces
/// (`set $oidc_provider "corp partner";`). Unset or empty: the first configured
/// provider. A session of any listed provider passes; a browser without one is
/// offered the choice (one name: straight to that provider, no page).
struct LocationProviders: Sendable {
    static let parameter = "OIDC_PROVIDER"

    /// Never empty, in the order the location lists them (the order of the choice page).
    let providers: [ProviderSettings]

    /// Why the parameter names no usable list: a configuration error of the web
    /// server, answered 500 and logged, never a login somewhere else.
    enum Problem: Error, Equatable, CustomStringConvertible {
        case unknown(String)
        case repeated(String)
        case blank
        case noneConfigured

        var description: String {
            switch self {
            case .unknown(let name): "OIDC_PROVIDER names no configured provider: \"\(name.prefix(100))\""
            case .repeated(let name): "OIDC_PROVIDER lists the provider \(name) twice"
            case .blank: "OIDC_PROVIDER is only spaces; leave it unset for the first provider, or list provider names"
            case .noneConfigured: "no provider is configured"
            }
        }
    }

    static func of(_ request: Request, in settings: Settings) throws(Problem) -> LocationProviders {
        try parse(request.params[parameter], in: settings)
    }

    static func parse(_ text: String?, in settings: Settings) throws(Problem) -> LocationProviders {
        guard let text, !text.isEmpty else {
            guard let first = settings.providers.first else { throw .noneConfigured }
            return LocationProviders(providers: [first])
        }
        let names = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !names.isEmpty else { throw .blank }
        var listed: [ProviderSettings] = []
        for name in names {
            guard let provider = settings.providers.first(where: { $0.name == name }) else { throw .unknown(name) }
            guard !listed.contains(where: { $0.name == name }) else { throw .repeated(name) }
            listed.append(provider)
        }
        return LocationProviders(providers: listed)
    }

    /// More than one provider: a browser without a session chooses.
    var offersChoice: Bool { providers.count > 1 }

    /// The listed provider of this name (a session's provider), if listed.
    func provider(named name: String) -> ProviderSettings? {
        providers.first { $0.name == name }
    }
}
