import RelyingParty

/// The CGI/FastCGI response header block: "Status: 302 Found\r\nName: value\r\n\r\n".
/// The only writer of response headers. `Response.Header` already cannot hold
/// CR, LF or NUL; this checks every byte once more as it writes, and an answer
/// that somehow carries one is replaced by a bare 500, never sent.
enum ResponseEncoding {
    static func headerBlock(_ response: Response) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + response.headers.count * 48)
        append("Status: \(response.status) \(Response.reasonPhrases[response.status] ?? "Status")\r\n", to: &out)
        for header in response.headers {
            guard HeaderName.isToken(header.name.text), HeaderValue.isClean(header.value) else {
                return Array("Status: 500 Internal Server Error\r\n\r\n".utf8)
            }
            append(header.name.text, to: &out)
            append(": ", to: &out)
            append(header.value, to: &out)
            append("\r\n", to: &out)
        }
        if !response.body.isEmpty && response.header("Content-Length") == nil {
            append("Content-Length: \(response.body.count)\r\n", to: &out)
        }
        append("\r\n", to: &out)
        return out
    }

    @inline(__always)
    private static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }
}
