import CCurl
import RelyingParty

/// The HTTP client the relying party uses to talk to identity providers, over
/// libcurl. Safe to call from any number of threads: each call checks an easy
/// handle out of a small pool, so connections to the provider are kept alive
/// and reused. TLS peer and host verification are always on, redirects are
/// never followed and only http and https URLs are allowed.
public final class CurlHTTPClient: HTTPTransport {
    private let connectTimeoutMs: Int
    private let timeoutMs: Int
    private let caFile: String?
    private let maxResponseBytes: Int
    private let userAgent: String
    private let handles: EasyHandlePool

    /// Initialises libcurl for the process. Call once from the main thread
    /// before starting worker threads; later calls do nothing.
    public static func globalInit() {
        CurlGlobal.ensureInitialized()
    }

    /// - Parameters:
    ///   - connectTimeoutMs: the longest wait for the TCP and TLS handshakes.
    ///   - timeoutMs: the longest a whole request may take, response included.
    ///   - caFile: a PEM bundle of trusted CAs instead of the system's.
    ///   - maxResponseBytes: a larger (decoded) body fails with `.responseTooLarge`.
    ///   - userAgent: the `User-Agent` sent with every request.
    ///   - maxIdleHandles: how many idle easy handles (with their open connections) are kept.
    public init(
        connectTimeoutMs: Int, timeoutMs: Int, caFile: String?, maxResponseBytes: Int = 1 << 20, userAgent: String,
        maxIdleHandles: Int = 16
    ) {
        CurlGlobal.ensureInitialized()
        self.connectTimeoutMs = max(1, connectTimeoutMs)
        self.timeoutMs = max(1, timeoutMs)
        self.caFile = caFile
        self.maxResponseBytes = max(0, maxResponseBytes)
        self.userAgent = userAgent
        handles = EasyHandlePool(maxIdle: maxIdleHandles)
    }

    public func perform(_ request: OutboundRequest) throws(HTTPTransportError) -> InboundResponse {
        let url = request.url
        guard !url.isEmpty, !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidURL(url)
        }
        var headerLines = ["Expect:"]  // no "100-continue" round trip before a POST body
        for header in request.headers {
            let name = header.name, value = header.value
            guard !name.isEmpty, !name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ":") }),
                !value.utf8.contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D })
            else {
                throw .invalidURL("\(url) (request header \"\(name)\" has an invalid name or a line break in its value)")
            }
            // libcurl sends "Name;" as a header with an empty value; "Name:" would remove it.
            headerLines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }

        guard let handle = handles.checkOut() else {
            throw .unreachable(url: url, reason: "libcurl could not create a handle")
        }
        defer { handles.checkIn(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        for line in headerLines {
            guard let extended = curl_slist_append(headerList, line) else {
                curl_slist_free_all(headerList)
                throw .unreachable(url: url, reason: "out of memory building request headers")
            }
            headerList = extended
        }
        defer { curl_slist_free_all(headerList) }

        let collector = ResponseCollector(limit: maxResponseBytes)
        let curl = handle.curl
        curl_easy_reset(curl)
        handle.errorBuffer[0] = 0

        var setup = CURLE_OK
        func option(_ result: CURLcode) {
            if setup == CURLE_OK { setup = result }
        }
        option(oidc_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, handle.errorBuffer))
        option(oidc_curl_setopt_string(curl, CURLOPT_URL, url))
        option(oidc_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"))
        option(oidc_curl_setopt_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        option(oidc_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0))
        option(oidc_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
        option(oidc_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMs))
        option(oidc_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, timeoutMs))
        option(oidc_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1))
        option(oidc_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2))
        option(oidc_curl_setopt_long(curl, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)))
        if let caFile { option(oidc_curl_setopt_string(curl, CURLOPT_CAINFO, caFile)) }
        option(oidc_curl_setopt_long(curl, CURLOPT_TCP_KEEPALIVE, 1))
        option(oidc_curl_setopt_string(curl, CURLOPT_USERAGENT, userAgent))
        // Accept compressed bodies; the size limit applies to the decoded bytes.
        option(oidc_curl_setopt_string(curl, CURLOPT_ACCEPT_ENCODING, ""))
        // Fails early when the server announces a body over the limit.
        option(oidc_curl_setopt_long(curl, CURLOPT_MAXFILESIZE, maxResponseBytes))
        option(oidc_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headerList))
        option(oidc_curl_setopt_write_function(curl, CURLOPT_WRITEFUNCTION, ResponseCollector.writeBody))
        option(oidc_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, collector.userdata))
        option(oidc_curl_setopt_write_function(curl, CURLOPT_HEADERFUNCTION, ResponseCollector.writeHeader))
        option(oidc_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, collector.userdata))
        switch request.method {
        case .get:
            option(oidc_curl_setopt_long(curl, CURLOPT_HTTPGET, 1))
        case .post:
            option(oidc_curl_setopt_long(curl, CURLOPT_POST, 1))
            option(oidc_curl_setopt_long(curl, CURLOPT_POSTFIELDSIZE, request.body.count))
            // libcurl copies the body now, so it need not outlive this call.
            option(request.body.withUnsafeBufferPointer { bytes in
                if let base = bytes.baseAddress, !bytes.isEmpty {
                    return oidc_curl_setopt_pointer(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
                return oidc_curl_setopt_string(curl, CURLOPT_COPYPOSTFIELDS, "")
            })
        }
        guard setup == CURLE_OK else {
            let reason = handle.message(for: setup)
            if setup == CURLE_UNSUPPORTED_PROTOCOL || setup == CURLE_URL_MALFORMAT { throw .invalidURL(url) }
            throw .unreachable(url: url, reason: "libcurl rejected an option: \(reason)")
        }

        let result = withExtendedLifetime(collector) { curl_easy_perform(curl) }
        guard result == CURLE_OK else {
            throw CurlFailure.error(
                result, url: url, message: handle.message(for: result), bodyTooLarge: collector.exceededLimit,
                limit: maxResponseBytes)
        }
        var status = 0
        _ = oidc_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return InboundResponse(status: status, headers: collector.headers, body: collector.body)
    }
}
