import Configuration
import Foundation
import WebServerSnippets

/// `check-config --nginx-snippets DIR --apache-snippets DIR`: warnings for
/// installed include files that no longer match the configuration.
enum InstalledSnippetsCheck {
    static func warnings(file: String, service: ServiceConfiguration, nginx: String?, apache: String?) -> [String] {
        let source = SnippetSource(configFile: URL(fileURLWithPath: file).standardizedFileURL.path, service: service)
        var warnings: [String] = []
        if let nginx {
            do {
                warnings += InstalledSnippets.warnings(directory: nginx, generated: try NginxSnippets.generate(from: source), command: NginxSnippets.command)
            } catch { warnings.append("nginx include files cannot be generated: \(error)") }
        }
        if let apache {
            do {
                warnings += InstalledSnippets.warnings(directory: apache, generated: try ApacheSnippets.generate(from: source), command: ApacheSnippets.command)
            } catch { warnings.append("Apache include files cannot be generated: \(error)") }
        }
        return warnings
    }
}
