import Logging

/// One error as a person or a client sees it, and the log line that explains
/// it to the operator. Rendered by `ErrorPages`: HTML for browsers, JSON for
/// everything else, both with the same correlation id as the log line.
public struct ErrorPage: Sendable {
    public var status: Int
    public var title: String
    public var message: String
    /// A short code (`access_denied`): the JSON `error`, and small on the page.
    /// Without one, a code follows from the status.
    public var error: String?
    /// Detail from the provider, capped; always shown as text, never as HTML.
    public var errorDescription: String?
    /// A URL on this site where trying again makes sense (the page the user wanted).
    public var tryAgainURL: String?
    /// What the operator reads in the log; secrets never go here.
    public var log: String?
    public var logLevel: Logger.Level
    public var logMetadata: Logger.Metadata

    public static let maxErrorBytes = 64
    public static let maxDescriptionBytes = 300

    public init(status: Int, title: String, message: String, error: String? = nil, errorDescription: String? = nil,
                tryAgainURL: String? = nil, log: String? = nil, logLevel: Logger.Level = .warning, logMetadata: Logger.Metadata = [:]) {
        self.status = status
        self.title = title
        self.message = message
        self.error = error
        self.errorDescription = errorDescription
        self.tryAgainURL = tryAgainURL
        self.log = log
        self.logLevel = logLevel
        self.logMetadata = logMetadata
    }

    /// The code a client reads: the given one when it is a plain token, else one for the status.
    var code: String {
        if let error, !error.isEmpty, error.utf8.count <= Self.maxErrorBytes,
           error.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }) {
            return error
        }
        switch status {
        case 400: return "invalid_request"
        case 401: return "unauthorized"
        case 403: return "access_denied"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 503: return "temporarily_unavailable"
        case 500...599: return "server_error"
        default: return "error"
        }
    }

    /// The provider's description, cut at a character boundary within the cap.
    var shownDescription: String? {
        guard let errorDescription, !errorDescription.isEmpty else { return nil }
        var out = ""
        for scalar in errorDescription.unicodeScalars {
            let cleaned: Unicode.Scalar = scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar
            if out.utf8.count + String(cleaned).utf8.count > Self.maxDescriptionBytes - 3 { return out + "…" }
            out.unicodeScalars.append(cleaned)
        }
        return out
    }
}
