/// Tells browser navigations (which may be sent to the provider to log in) from
/// everything else: XHR, fetch, API clients, non-GET requests. Those get a 401
/// instead, so they never start a login or pile up state cookies.
public enum RequestClassifier {
    public static func isNavigation(_ request: Request) -> Bool {
        let method = request.method
        guard method == "GET" || method == "HEAD" else { return false }
        if let mode = request.header("Sec-Fetch-Mode"), !mode.isEmpty {
            return mode.lowercased() == "navigate"
        }
        if let dest = request.header("Sec-Fetch-Dest"), !dest.isEmpty, dest.lowercased() != "document" {
            return false
        }
        if let requestedWith = request.header("X-Requested-With"), !requestedWith.isEmpty {
            return false
        }
        if let accept = request.header("Accept")?.lowercased(), !accept.isEmpty {
            return accept.contains("text/html") || accept.contains("*/*") || accept.contains("application/xhtml+xml")
        }
        return true
    }
}
