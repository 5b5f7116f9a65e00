import FastCGIServer
import Foundation
import JOSE
import RelyingParty
import Yams

/// Reads and validates a configuration file. Every problem is collected and
/// reported together, each naming its key.
public enum ConfigurationLoader {
    public static func load(file: String) throws(ConfigurationError) -> ServiceConfiguration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, problems: [ConfigurationProblem(path: "", message: "cannot read the file (does it exist, and may this user read it?)")])
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: file, baseDirectory: (file as NSString).deletingLastPathComponent)
    }

    public static func parse(yaml: String, file: String = "configuration", baseDirectory: String = ".") throws(ConfigurationError) -> ServiceConfiguration {
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
        guard problems.items.isEmpty, let result else {
            throw ConfigurationError(file: file, problems: problems.items.isEmpty ? [ConfigurationProblem(path: "", message: "incomplete")] : problems.items)
        }
        return result
    }
}
