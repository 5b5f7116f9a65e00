/// A configuration that cannot be written into web-server include files, in
/// words that say which setting to change.
public enum SnippetError: Error, Equatable, CustomStringConvertible {
    /// A path or file name with characters the include files cannot carry unquoted.
    case unsafeText(setting: String, value: String)
    /// A header name nginx cannot turn into a variable (only letters, digits and `-`).
    case headerNotForNginx(String)
    /// Two headers that nginx would read through the same variable.
    case headersShareVariable(String, String)
    /// mod_authnz_fcgi reaches its authorizer over TCP only.
    case apacheNeedsTCP(listen: String)

    public var description: String {
        switch self {
        case .unsafeText(let setting, let value):
            return "\(setting): \"\(value)\" cannot be written into the include files (use letters, digits and - . _ ~ / % : @ + , =)"
        case .headerNotForNginx(let name):
            return "headers: \(name) cannot be read by nginx (a header name of letters, digits and - only)"
        case .headersShareVariable(let first, let second):
            return "headers: \(first) and \(second) are the same header to nginx (case and - versus _ do not count); rename one"
        case .apacheNeedsTCP(let listen):
            return "listen: \(listen) cannot serve Apache, whose mod_authnz_fcgi speaks TCP only (listen: \"tcp:127.0.0.1:9000\")"
        }
    }
}
