import Foundation

/// The parameters of one request as libfcgi hands them over: a NULL-terminated
/// array of "NAME=value" C strings (the CGI environment's shape). Entries
/// without '=' are skipped; a repeated name keeps its last value.
public enum FastCGIParameters {
    public static func dictionary(from envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var params: [String: String] = [:]
        guard var cursor = envp else { return params }
        while let entry = cursor.pointee {
            if let equals = strchr(entry, Int32(UInt8(ascii: "="))) {
                let nameLength = entry.distance(to: equals)
                let name = String(decoding: UnsafeRawBufferPointer(start: entry, count: nameLength), as: UTF8.self)
                params[name] = String(cString: equals + 1)
            }
            cursor += 1
        }
        return params
    }
}
