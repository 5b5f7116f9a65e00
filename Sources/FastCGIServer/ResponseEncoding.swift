import RelyingParty

/// The CGI/FastCGI response header block: "Status: 302 Found\r\nName: value\r\n\r\n".
enum ResponseEncoding {
    static func headerBlock(_ response: Response) -> [UInt8] {
        var text = "Status: \(response.status) \(Response.reasonPhrases[response.status] ?? "Status")\r\n"
        for header in response.headers {
            text += header.name
            text += ": "
            text += header.value
            text += "\r\n"
        }
        if !response.body.isEmpty && response.header("Content-Length") == nil {
            text += "Content-Length: \(response.body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}
