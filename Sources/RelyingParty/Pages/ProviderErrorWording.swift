/// Plain words for the `error` codes a provider sends back instead of a code
/// (OpenID Connect Core §3.1.2.6, RFC 6749 §4.1.2.1): what happened, for the
/// person, and which status says it. The code itself is shown small.
struct ProviderErrorWording {
    let status: Int
    let title: String
    let message: String

    init(code: String) {
        switch code {
        case "access_denied":
            self.init(403, "Sign-in was cancelled", "You did not allow the sign-in, or the identity provider refused it. You can try again.")
        case "login_required", "interaction_required", "consent_required", "account_selection_required":
            self.init(403, "Sign-in needed", "The identity provider needs you to sign in again. Try again to sign in.")
        case "temporarily_unavailable":
            self.init(503, "Sign-in unavailable", "The identity provider is busy or down for maintenance. Please try again in a moment.")
        case "server_error":
            self.init(502, "Sign-in failed", "The identity provider had a problem completing the sign-in. Please try again.")
        case "invalid_request", "unauthorized_client", "unsupported_response_type", "invalid_scope", "invalid_client",
             "request_not_supported", "request_uri_not_supported", "registration_not_supported", "invalid_request_uri", "invalid_request_object":
            self.init(500, "Sign-in is misconfigured",
                      "The identity provider refused this site's sign-in request. Trying again will not help; the site's operators can find the cause in their log with the reference below.")
        default:
            self.init(403, "Sign-in was not completed", "The identity provider did not complete the sign-in. You can try again.")
        }
    }

    private init(_ status: Int, _ title: String, _ message: String) {
        self.status = status
        self.title = title
        self.message = message
    }
}
