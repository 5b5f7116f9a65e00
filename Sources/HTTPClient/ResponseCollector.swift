import CCurl

/// Where libcurl's write and header callbacks put the response while a request
/// runs: the body (up to a limit) and the headers of the final response, with
/// lower-cased names. Reached from the C callbacks through the userdata pointer.
final class ResponseCollector {
    let limit: Int
    private(set) var body: [UInt8] = []
    private(set) var headers: [String: String] = [:]
    private(set) var exceededLimit = false

    init(limit: Int) { self.limit = limit }

    var userdata: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Returns false (abort the transfer) once the body would exceed the limit.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= limit else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// One raw header line as libcurl delivers it, CRLF included.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = Substring(decoding: bytes, as: UTF8.self)
        while let last = line.last, last == "\r\n" || last == "\n" || last == "\r" { line = line.dropLast() }
        if line.hasPrefix("HTTP/") {
            // A new status line: an interim (1xx) response's headers are dropped.
            headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingSpaces().lowercased()
        let value = String(line[line.index(after: colon)...].trimmingSpaces())
        guard !name.isEmpty else { return }
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
    }

    static let writeBody: oidc_curl_write_callback = { data, size, count, userdata in
        guard let userdata else { return 0 }
        let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        guard length > 0, let data else { return 0 }
        return collector.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
    }

    static let writeHeader: oidc_curl_write_callback = { data, size, count, userdata in
        guard let userdata else { return 0 }
        let collector = Unmanaged<ResponseCollector>.fromOpaque(userdata).takeUnretainedValue()
        let length = size * count
        if length > 0, let data {
            collector.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
        }
        return length
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
