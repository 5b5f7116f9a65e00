/// The request line of a plain HTTP/1.x request, read from the bytes a
/// client sent so far. Headers are read past but not used: every answer is
/// the same whoever asks, and the connection closes after it.
public enum OperationsRequestHead: Equatable, Sendable {
    /// The whole head (through the blank line) arrived.
    case complete(method: String, path: String)
    /// More bytes are needed.
    case incomplete
    /// Not an HTTP/1.x request line, or a head with bytes no request carries.
    case malformed

    /// The longest request line an operations endpoint accepts.
    public static let maxRequestLineBytes = 1024

    public init(parsing bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            self = bytes.count > Self.maxRequestLineBytes ? .malformed : .incomplete
            return
        }
        guard lineEnd <= Self.maxRequestLineBytes, let line = Self.requestLine(bytes[..<lineEnd]) else {
            self = .malformed
            return
        }
        guard Self.headEnds(bytes, after: lineEnd) else {
            self = .incomplete
            return
        }
        self = .complete(method: line.method, path: line.path)
    }

    /// `METHOD SP TARGET SP HTTP/1.x`, with an optional CR before the LF.
    private static func requestLine(_ raw: ArraySlice<UInt8>) -> (method: String, path: String)? {
        let line = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }),
              parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              parts[2].elementsEqual("HTTP/1.1".utf8) || parts[2].elementsEqual("HTTP/1.0".utf8)
        else { return nil }
        let target = String(decoding: parts[1], as: UTF8.self)
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        return (String(decoding: parts[0], as: UTF8.self), path)
    }

    /// True when an empty line (LF LF or CRLF CRLF) follows the request line somewhere.
    private static func headEnds(_ bytes: [UInt8], after lineEnd: Int) -> Bool {
        var index = lineEnd
        while index < bytes.count {
            let next = index + 1
            if next < bytes.count, bytes[next] == UInt8(ascii: "\n") { return true }
            if next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\r"), bytes[next + 1] == UInt8(ascii: "\n") { return true }
            guard let following = bytes[next...].firstIndex(of: UInt8(ascii: "\n")) else { return false }
            index = following
        }
        return false
    }
}
