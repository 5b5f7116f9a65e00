import Logging

/// The answer when the identity provider is slow, down or not loaded yet: a 503
/// with `Retry-After`, given at once rather than after a timeout.
enum ProviderUnavailablePage {
    static let retryAfterSeconds = "5"

    /// `slow`: the call was not made because too many requests already wait on the provider.
    static func response(title: String, slow: Bool, tryAgainURL: String?, log: String, metadata: Logger.Metadata,
                         pages: ErrorPages, for request: Request, headers: [Response.Header] = []) -> Response {
        let message = slow
            ? "The identity provider is slow to answer; try again in a moment."
            : "The identity provider cannot be reached right now. Please try again in a moment."
        return pages.response(ErrorPage(status: 503, title: title, message: message, error: "temporarily_unavailable", tryAgainURL: tryAgainURL,
                                        log: log, logLevel: .error, logMetadata: metadata),
                              for: request, headers: headers + [Response.Header(.retryAfter, retryAfterSeconds)])
    }
}

extension ErrorPage {
    /// A provider whose configuration cannot work (discovery names another issuer,
    /// unusable metadata or keys): not "try again later", an operator's problem.
    static func misconfiguredProvider(log: String, metadata: Logger.Metadata) -> ErrorPage {
        ErrorPage(status: 500, title: "Sign-in is misconfigured",
                  message: "This site's sign-in settings do not work with its identity provider. Trying again will not help; the site's operators can find the cause in their log with the reference below.",
                  error: "server_error", log: log, logLevel: .error, logMetadata: metadata)
    }
}
