/// The answer when the identity provider is slow, down or not loaded yet: a 503
/// with `Retry-After`, given at once rather than after a timeout.
enum ProviderUnavailablePage {
    static let retryAfterSeconds = "5"

    /// `slow`: the call was not made because too many requests already wait on the provider.
    static func response(title: String, slow: Bool, for request: Request, headers: [Response.Header] = []) -> Response {
        let message = slow
            ? "The identity provider is slow to answer; try again in a moment."
            : "The identity provider cannot be reached right now. Please try again in a moment."
        return ErrorPage.response(status: 503, title: title, message: message, for: request,
                                  headers: headers + [Response.Header("Retry-After", retryAfterSeconds)])
    }
}
