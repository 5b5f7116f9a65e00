import Foundation

/// The parameters of one request as libfcgi hands them over: a NULL-terminated
/// array of "NAME=value" C strings (the CGI environment's shape). Entries
/// without '=' are skipped.
///
/// A repeated name keeps its last value (nginx's `fastcgi_param` overrides
/// rely on it), except request headers (`HTTP_*`), which a web server may pass
/// once per header line: those are joined as HTTP joins repeated fields, with
/// ", " (and cookies with "; "), so two `Authorization` lines arrive as one
/// value the bearer check refuses instead of one silently winning.
public enum FastCGIParameters {
    public static func dictionary(from envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var params: [String: String] = [:]
        // nginx sends 20 to 40 parameters: one allocation instead of several regrowths.
        params.reserveCapacity(48)
        guard var cursor = envp else { return params }
        while let entry = cursor.pointee {
            if let equals = strchr(entry, Int32(UInt8(ascii: "="))) {
                let nameLength = entry.distance(to: equals)
                let name = String(decoding: UnsafeRawBufferPointer(start: entry, count: nameLength), as: UTF8.self)
                let value = String(cString: equals + 1)
                // One hash per parameter: the earlier value comes back only for a repeated name.
                if let earlier = params.updateValue(value, forKey: name), nameLength >= 5, strncmp(entry, "HTTP_", 5) == 0 {
                    params[name] = earlier + (name == "HTTP_COOKIE" ? "; " : ", ") + value
                }
            }
            cursor += 1
        }
        return params
    }
}
