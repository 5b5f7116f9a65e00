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
        if let accept = request.header("Accept"), !accept.isEmpty {
            return ["text/html", "*/*", "application/xhtml+xml"].contains { contains(accept, ignoringCase: $0) }
        }
        return true
    }

    /// Whether `text` holds `part` (lower-case ASCII), ASCII letters compared in any case.
    static func contains(_ text: String, ignoringCase part: String) -> Bool {
        var text = text, part = part
        return text.withUTF8 { haystack in
            part.withUTF8 { needle in
                guard haystack.count >= needle.count else { return false }
                for start in 0...(haystack.count - needle.count) {
                    var index = 0
                    while index < needle.count {
                        let byte = haystack[start + index]
                        let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
                        guard lowered == needle[index] else { break }
                        index += 1
                    }
                    if index == needle.count { return true }
                }
                return false
            }
        }
    }
}
