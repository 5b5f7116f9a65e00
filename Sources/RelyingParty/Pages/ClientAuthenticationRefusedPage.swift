import Logging

extension ErrorPage {
    /// The provider refused this site's client credentials (`invalid_client`): a wrong
    /// secret or an unregistered key. Names the method; trying again will not help.
    static func clientAuthenticationRefused(method: ProviderSettings.ClientAuthentication, log: String, metadata: Logger.Metadata) -> ErrorPage {
        let cause = switch method {
        case .clientSecretBasic, .clientSecretPost, .clientSecretJWT: "the client secret this site uses is not the one registered with the provider"
        case .privateKeyJWT: "the key this site signs with is not the one registered with the provider"
        case .publicClient: "the provider does not accept this site as a public client"
        }
        return ErrorPage(status: 500, title: "Sign-in is misconfigured",
                         message: "The identity provider refused this site's client authentication (\(method.rawValue)): \(cause). Trying again will not help; the site's operators can find the cause in their log with the reference below.",
                         error: "invalid_client", log: log, logLevel: .error, logMetadata: metadata)
    }
}
