import FastCGIServer
import Foundation
import JOSE
import RelyingParty
import Yams

/// Reads and validates a configuration file. Every problem is collected and
/// reported together, each naming its key.
public enum ConfigurationLoader {
    /// A real configuration is a few kilobytes; anything near this is the wrong file.
    public static let maximumFileBytes = 1 << 20

    public static func load(file: String) throws(ConfigurationError) -> ServiceConfiguration {
        switch BoundedFile.read(file, limit: maximumFileBytes) {
        case .success(let bytes):
            return try parse(bytes: bytes, file: file, baseDirectory: (file as NSString).deletingLastPathComponent)
        case .failure(.unreadable):
            throw ConfigurationError(file: file, problems: [ConfigurationProblem(path: "", message: "cannot read the file (does it exist, and may this user read it?)")])
        case .failure(.tooLarge):
            throw tooLarge(file: file)
        }
    }

    /// The file's bytes as read from disk: refused when too large or not UTF-8.
    public static func parse(bytes: [UInt8], file: String = "configuration", baseDirectory: String = ".") throws(ConfigurationError) -> ServiceConfiguration {
        guard bytes.count <= maximumFileBytes else { throw tooLarge(file: file) }
        let invalid = UTF8Validation.invalidPositions(in: bytes)
        guard invalid.isEmpty else { throw notUTF8(bytes: bytes, at: invalid, file: file) }
        return try parse(yaml: String(decoding: bytes, as: UTF8.self), file: file, baseDirectory: baseDirectory)
    }

    public static func parse(yaml: String, file: String = "configuration", baseDirectory: String = ".") throws(ConfigurationError) -> ServiceConfiguration {
        guard yaml.utf8.count <= maximumFileBytes else { throw tooLarge(file: file) }
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            throw ConfigurationError(file: file, problems: [ConfigurationProblem(path: "", message: "is not valid YAML: \(error)")])
        }
        guard let root, case .mapping(let mapping) = root else {
            throw ConfigurationError(file: file, problems: [ConfigurationProblem(path: "", message: "must be a YAML mapping of settings (listen:, public_url:, providers: …)")])
        }
        let problems = YAMLReader.ProblemList()
        let reader = YAMLReader(mapping: mapping, path: "", problems: problems)
        let result = SettingsReader(reader: reader, baseDirectory: baseDirectory).read()
        reader.finish()
        guard problems.isEmpty, let result else {
            throw ConfigurationError(
                file: file, problems: problems.isEmpty ? [ConfigurationProblem(path: "", message: "incomplete")] : problems.items,
                unreportedCount: problems.unreported)
        }
        return result
    }

    private static func tooLarge(file: String) -> ConfigurationError {
        ConfigurationError(file: file, problems: [ConfigurationProblem(
            path: "", message: "is larger than \(BoundedFile.describe(maximumFileBytes)); a configuration file is a few kilobytes (is this the right file?)")])
    }

    /// One problem per line holding bytes that are not UTF-8, under the key
    /// found on that line when the rest of the file parses.
    private static func notUTF8(bytes: [UInt8], at positions: [UTF8Validation.Position], file: String) -> ConfigurationError {
        let lines = Set(positions.map(\.line))
        let repaired = String(decoding: bytes, as: UTF8.self)
        let keys = ((try? Yams.compose(yaml: repaired)) ?? nil).map { UTF8Validation.keyPaths(onLines: lines, in: $0) } ?? [:]
        let problems = positions.map { position in
            let hex = String(position.byte, radix: 16, uppercase: true)
            return ConfigurationProblem(
                path: keys[position.line] ?? "",
                message: "line \(position.line), column \(position.column): byte 0x\(hex.count == 1 ? "0" + hex : hex) is not UTF-8; save the file as UTF-8")
        }
        return ConfigurationError(file: file, problems: problems)
    }
}
