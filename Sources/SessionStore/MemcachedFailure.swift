import CMemcached
import RelyingParty

/// Turns a libmemcached return code into the store's error, with libmemcached's
/// own words (which name the server and the cause) and never the value.
enum MemcachedFailure {
    static func error(
        _ rc: memcached_return_t, operation: String, handle: UnsafeMutablePointer<memcached_st>?
    ) -> StoreError {
        let message = Self.message(rc, handle: handle)
        switch rc {
        case MEMCACHED_E2BIG, MEMCACHED_KEY_TOO_BIG, MEMCACHED_BAD_KEY_PROVIDED, MEMCACHED_NO_KEY_PROVIDED,
            MEMCACHED_INVALID_ARGUMENTS:
            return .rejected("memcached \(operation): \(message)")
        default:
            return .unavailable("memcached \(operation): \(message)")
        }
    }

    /// The failure libmemcached recorded during the last call even though that
    /// call returned an "expected" answer, or nil when there was none.
    ///
    /// `memcached_get` reports `NOTFOUND` ("absent") when the reply could not
    /// be read at all — a peer that is not memcached, or one that sent garbage
    /// — while the real failure (`UNKNOWN_READ_FAILURE`, …) is only in the
    /// handle's last error. Each query clears that error first, so anything
    /// there besides the expected codes belongs to this call.
    static func hiddenFailure(in handle: UnsafeMutablePointer<memcached_st>) -> memcached_return_t? {
        let last = memcached_last_error(handle)
        switch last {
        case MEMCACHED_SUCCESS, MEMCACHED_NOTFOUND, MEMCACHED_END, MEMCACHED_NOTSTORED, MEMCACHED_DATA_EXISTS,
            MEMCACHED_STORED, MEMCACHED_DELETED, MEMCACHED_BUFFERED:
            return nil
        default:
            return last
        }
    }

    /// The most specific description libmemcached has for `rc`, without the
    /// handle's address and the library's source location it adds.
    static func message(_ rc: memcached_return_t, handle: UnsafeMutablePointer<memcached_st>?) -> String {
        if let handle, memcached_last_error(handle) == rc, let detail = memcached_last_error_message(handle) {
            let text = tidy(String(cString: detail))
            if !text.isEmpty { return text }
        }
        if let name = memcached_strerror(handle, rc) {
            return String(cString: name)
        }
        return "libmemcached error \(rc.rawValue)"
    }

    /// "(0x55…) CONNECTION FAILURE(Connection refused),  host: h:p -> ./src/…/io.cc:145"
    /// becomes "CONNECTION FAILURE(Connection refused), host: h:p".
    static func tidy(_ message: String) -> String {
        var text = Substring(message)
        if text.hasPrefix("(0x"), let close = text.firstIndex(of: ")") {
            text = text[text.index(after: close)...]
        }
        if let arrow = text.range(of: " -> ") {
            text = text[..<arrow.lowerBound]
        }
        var result = ""
        var previousWasSpace = false
        for character in text {
            let isSpace = character == " "
            if !(isSpace && previousWasSpace) { result.append(character) }
            previousWasSpace = isSpace
        }
        while result.first == " " { result.removeFirst() }
        while result.last == " " || result.last == "," { result.removeLast() }
        return result
    }
}
