import CCurl

/// One libcurl easy handle and its error buffer. The handle keeps its
/// connection cache (keep-alive to the identity provider), DNS cache and TLS
/// session cache between requests; options are reset before each request.
final class EasyHandle: @unchecked Sendable {
    // @unchecked: an easy handle is used by one thread at a time; the
    // `EasyHandlePool` hands each one to a single caller between checkout and checkin.
    let curl: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let curl = curl_easy_init() else { return nil }
        self.curl = curl
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(curl)
        errorBuffer.deallocate()
    }

    /// libcurl's detailed message for the last failure, or its generic text for `code`.
    func message(for code: CURLcode) -> String {
        errorBuffer[Int(CURL_ERROR_SIZE)] = 0
        let detail = String(cString: errorBuffer)
        if !detail.isEmpty { return detail }
        return String(cString: curl_easy_strerror(code))
    }
}
