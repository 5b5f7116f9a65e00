import Foundation

/// application/x-www-form-urlencoded and query strings. Encoding escapes
/// every byte of the UTF-8 form except RFC 3986's unreserved characters;
/// decoding uses Foundation's percent decoding.
public enum FormEncoding {
    public static func escape(_ text: String) -> String {
        guard !text.utf8.allSatisfy(isUnreserved) else { return text }
        return PercentEncoding.encode(text.utf8, keeping: isUnreserved)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// "a=b&c=d", every name and value escaped, written into one buffer.
    public static func encode(_ pairs: [(String, String)]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(pairs.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 2 } * 2)
        for (index, (name, value)) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            PercentEncoding.append(name.utf8, keeping: isUnreserved, to: &out)
            out.append(UInt8(ascii: "="))
            PercentEncoding.append(value.utf8, keeping: isUnreserved, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes "a=b&c=d" ('+' is a space). Malformed percent escapes drop the pair.
    public static func decode(_ text: String) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = String(pieces[0]).replacingOccurrences(of: "+", with: " ")
            let rawValue = pieces.count > 1 ? String(pieces[1]).replacingOccurrences(of: "+", with: " ") : ""
            guard let name = rawName.removingPercentEncoding, let value = rawValue.removingPercentEncoding else { continue }
            out.append((name, value))
        }
        return out
    }

    /// The only value of `name`; nil when absent. Repeated parameters are refused (nil, and `repeated` is set).
    public static func single(_ name: String, in pairs: [(name: String, value: String)]) -> String? {
        let values = pairs.filter { $0.name == name }
        return values.count == 1 ? values[0].value : nil
    }

    /// Appends query parameters to a URL that may already have a query.
    public static func append(_ pairs: [(String, String)], to url: String) -> String {
        url + (url.utf8.contains(UInt8(ascii: "?")) ? "&" : "?") + encode(pairs)
    }
}
