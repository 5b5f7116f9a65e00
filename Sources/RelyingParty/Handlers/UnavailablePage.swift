/// nginx's `@oidc_unavailable` and `@oidc_api_unavailable`: the auth answer was
/// a 503 (session store unreachable) or could not be had at all, and nginx
/// sends the client here. The same page as every other error for browsers,
/// JSON for everything else, always 503 with `Retry-After`; no store read, no
/// cookie touched, no login started that could not be finished.
enum UnavailablePage {
    static let retryAfterSeconds = 10

    static func response(for request: Request, mode: LocationMode, returnURLs: ReturnURLPolicy, pages: ErrorPages) -> Response {
        // Only browsers get a page (and a link back to what they asked for); API clients get JSON.
        var shown = request
        if mode == .api { shown.params["HTTP_SEC_FETCH_MODE"] = "cors" }
        let page = ErrorPage(
            status: 503, title: "Sign-in unavailable", message: "Sign-in is temporarily unavailable. Please try again in a moment.",
            error: "temporarily_unavailable", tryAgainURL: request.method == "GET" ? returnURLs.resolve(request.requestURI) : nil,
            log: "answered 503 for the web server: the auth answer could not be given (see the lines before)", logLevel: .notice,
            logMetadata: ["uri": "\(request.requestURI.prefix(200))"])
        return pages.response(page, for: shown, headers: [Response.Header(.retryAfter, "\(retryAfterSeconds)")])
    }
}
