import CCurl

/// libcurl's process-wide initialisation, done exactly once. Swift runs a
/// static's initialiser once even when threads race for it, but libcurl wants
/// it done before any thread starts, so the executable calls
/// `CurlHTTPClient.globalInit()` early; every client also touches it.
enum CurlGlobal {
    static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    static func ensureInitialized() {
        _ = initResult
    }
}
