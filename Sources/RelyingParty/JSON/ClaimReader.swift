/// Typed reads of a JWT payload's claims, shared by the token validators: a
/// claim of the wrong type is an error, never a silent absence.
struct ClaimReader {
    enum Problem: Error, Equatable {
        case missing(String)
        case invalid(String)
    }

    let values: [String: JSONValue]

    init(_ values: [String: JSONValue]) { self.values = values }

    func has(_ name: String) -> Bool { values[name].map { $0 != .null } ?? false }

    func optionalString(_ name: String) throws(Problem) -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard let text = value.stringValue else { throw .invalid(name) }
        return text
    }

    /// A present, non-empty string.
    func requiredString(_ name: String) throws(Problem) -> String {
        guard let text = try optionalString(name) else { throw .missing(name) }
        guard !text.isEmpty else { throw .invalid(name) }
        return text
    }

    func optionalTime(_ name: String) throws(Problem) -> Int64? {
        guard let value = values[name], value != .null else { return nil }
        guard let seconds = value.integerValue else { throw .invalid(name) }
        return seconds
    }

    func requiredTime(_ name: String) throws(Problem) -> Int64 {
        guard let seconds = try optionalTime(name) else { throw .missing(name) }
        return seconds
    }

    /// `aud` as a list: a string or an array of strings; absent → empty.
    func audiences() throws(Problem) -> [String] {
        guard let value = values["aud"], value != .null else { return [] }
        if let single = value.stringValue { return [single] }
        guard let array = value.arrayValue else { throw .invalid("aud") }
        var out: [String] = []
        for element in array {
            guard let text = element.stringValue else { throw .invalid("aud") }
            out.append(text)
        }
        return out
    }

    func optionalObject(_ name: String) throws(Problem) -> [String: JSONValue]? {
        guard let value = values[name], value != .null else { return nil }
        guard let object = value.objectValue else { throw .invalid(name) }
        return object
    }
}
