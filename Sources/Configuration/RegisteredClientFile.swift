import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RelyingParty

/// `registration.state_dir` as the registered clients' storage: a file per provider.
public struct RegisteredClientFiles: RegisteredClientStorage {
    public init() {}

    public func slot(stateDirectory: String, provider: String) -> any RegisteredClientSlot {
        RegisteredClientFile(stateDirectory: stateDirectory, provider: provider)
    }
}

/// The state directory's file for one provider's registered client:
/// `<state_dir>/<provider>.json`, mode 0600, replaced only whole (temp file +
/// rename) so a reader never sees half of it, and guarded by `<provider>.lock`
/// (flock) so instances sharing the directory register one at a time.
/// A file that cannot be read or parsed is an error, never overwritten.
public struct RegisteredClientFile: RegisteredClientSlot {
    public let path: String
    public let lockPath: String
    /// A registered client is a few hundred bytes; anything far larger is not ours.
    static let maximumBytes = 64 * 1024

    public init(stateDirectory: String, provider: String) {
        let directory = stateDirectory.hasSuffix("/") ? String(stateDirectory.dropLast()) : stateDirectory
        path = directory + "/" + provider + ".json"
        lockPath = directory + "/" + provider + ".lock"
    }

    /// The stored client, or nil when there is no file yet.
    public func read() throws(ClientRegistrationError) -> RegisteredClient? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > Self.maximumBytes { throw .corruptFile(path: path, reason: "larger than \(Self.maximumBytes) bytes") }
        }
        let client: RegisteredClient
        do { client = try JSONDecoder().decode(RegisteredClient.self, from: Data(bytes)) } catch {
            throw .corruptFile(path: path, reason: Self.describe(error))
        }
        guard !client.clientID.isEmpty else { throw .corruptFile(path: path, reason: "client_id is empty") }
        return client
    }

    /// Replaces the file with `client` in one step: a temporary file, fsync, rename.
    public func write(_ client: RegisteredClient) throws(ClientRegistrationError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(client)) } catch { throw .cannotWrite(path: path, reason: "\(error)") }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        var written = 0
        while written < bytes.count, failure == nil {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if count < 0, errno != EINTR { failure = String(cString: strerror(errno)) }
            if count > 0 { written += count }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
    }

    /// Runs `body` holding the provider's lock file, so one instance registers
    /// while the others wait and then read what it stored.
    public func withLock<T>(_ body: () throws(ClientRegistrationError) -> T) throws(ClientRegistrationError) -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotWrite(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .cannotWrite(path: lockPath, reason: String(cString: strerror(errno))) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// A decoding error in words, naming the key but never a value (the file holds secrets).
    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted?: return "not valid JSON"
        case .keyNotFound(let key, _)?: return "\(key.stringValue) is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: return "not a registered client"
        }
    }
}
