import Logging

extension ErrorPage {
    /// No registered client could be had (a corrupt or unreadable state file, a refused
    /// registration, no registration endpoint): the operators must act, the log says how.
    static func clientRegistrationFailed(_ error: ClientRegistrationError, log: String, metadata: Logger.Metadata) -> ErrorPage {
        let cause = switch error {
        case .corruptFile, .unreadableFile, .cannotWrite: "its stored registration with the identity provider cannot be used"
        case .refused: "the identity provider refused to register it"
        default: "it could not register with its identity provider"
        }
        return ErrorPage(status: 500, title: "Sign-in is misconfigured",
                         message: "This site cannot sign you in: \(cause). Trying again will not help; the site's operators can find the cause in their log with the reference below.",
                         error: "server_error", log: log, logLevel: .error, logMetadata: metadata)
    }
}
