import ArgumentParser
import WebServerSnippets

struct NginxConfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nginx-conf",
        abstract: "Write the nginx include files for a configuration: its identity headers, cookie, endpoint paths and buffer sizes.")

    @Option(name: .shortAndLong, help: "The configuration file (YAML).")
    var config: String = "/etc/oidc-fcgi/config.yaml"

    @Option(help: "The directory to write oidc-fcgi-server.conf, -protect.conf, -api.conf and -access-token.conf into.")
    var out: String

    func run() throws {
        let source = try SnippetConfigLoading.source(file: config)
        let snippets = try SnippetConfigLoading.generated { () throws(SnippetError) in try NginxSnippets.generate(from: source) }
        try SnippetConfigLoading.write(snippets, to: out)
    }
}
