import Foundation

/// Reads a whole file, but never more than a limit: a configuration or secret
/// file pointing at a huge file or a device such as /dev/zero ends in a clear
/// error instead of filling memory.
enum BoundedFile {
    enum Failure: Error, Equatable {
        case unreadable
        case tooLarge(limit: Int)
    }

    static func read(_ path: String, limit: Int) -> Result<[UInt8], Failure> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        // One byte past the limit tells "exactly at the limit" from "over it".
        guard let data = try? handle.read(upToCount: limit + 1) else { return .success([]) }
        guard data.count <= limit else { return .failure(.tooLarge(limit: limit)) }
        return .success(Array(data))
    }

    /// "1 MiB", "64 KiB": limits as people write them.
    static func describe(_ bytes: Int) -> String {
        if bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
