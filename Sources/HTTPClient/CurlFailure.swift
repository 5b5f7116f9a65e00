import CCurl
import RelyingParty

/// Maps a failed transfer's `CURLcode` to what the core can act on.
enum CurlFailure {
    static func error(_ code: CURLcode, url: String, message: String, bodyTooLarge: Bool, limit: Int)
        -> HTTPTransportError
    {
        if bodyTooLarge { return .responseTooLarge(url: url, limit: limit) }
        switch code {
        case CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge(url: url, limit: limit)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(url: url)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(url)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .unreachable(url: url, reason: message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls(url: url, reason: message)
        default:
            // Connection reset, empty reply, protocol errors: no usable response.
            return .unreachable(url: url, reason: message)
        }
    }
}
