/// A file holding secrets (session secrets, a client secret): read whole,
/// bounded in size, and required to be UTF-8 text so that no byte of a
/// secret is silently replaced.
enum SecretFile {
    /// Far more than any list of secrets; stops a mistyped path such as
    /// /dev/zero from reading forever.
    static let maximumBytes = 64 << 10

    /// The file's text, or the problem to report for `path`.
    static func read(_ path: String) -> Result<String, SecretFileProblem> {
        switch BoundedFile.read(path, limit: maximumBytes) {
        case .failure(.unreadable):
            return .failure(SecretFileProblem(message: "cannot read \(path)"))
        case .failure(.tooLarge):
            return .failure(SecretFileProblem(message: "\(path) is larger than \(BoundedFile.describe(maximumBytes)); it should hold secrets only"))
        case .success(let bytes):
            if let first = UTF8Validation.invalidPositions(in: bytes).first {
                return .failure(SecretFileProblem(message: "\(path) is not UTF-8 text (line \(first.line))"))
            }
            return .success(String(decoding: bytes, as: UTF8.self))
        }
    }
}

struct SecretFileProblem: Error {
    let message: String
}
