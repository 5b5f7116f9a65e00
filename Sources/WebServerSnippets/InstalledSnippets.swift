import Foundation

/// Compares the include files installed in a directory with those generated
/// for the configuration: `check-config --nginx-snippets DIR`.
public enum InstalledSnippets {
    /// One warning per installed file that differs, naming the file and its first
    /// differing line; one when none of the files is there. Files the directory
    /// does not hold are not required (a site may use only some of them).
    public static func warnings(directory: String, generated: [Snippet], command: String) -> [String] {
        var warnings: [String] = []
        var found = 0
        for snippet in generated {
            let path = (directory as NSString).appendingPathComponent(snippet.fileName)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            found += 1
            if let difference = SnippetDifference.between(snippet, installed: String(decoding: data, as: UTF8.self)) {
                warnings.append("\(path) differs from what `oidc-fcgi \(command)` writes for this configuration, first at \(difference)")
            }
        }
        if found == 0 {
            warnings.append("\(directory) holds none of \(generated.map(\.fileName).joined(separator: ", "))")
        }
        return warnings
    }
}
