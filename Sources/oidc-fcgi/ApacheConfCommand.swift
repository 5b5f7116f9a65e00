import ArgumentParser
import WebServerSnippets

struct ApacheConfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apache-conf",
        abstract: "Write the Apache include files for a configuration: its identity headers, endpoint paths and TCP address.")

    @Option(name: .shortAndLong, help: "The configuration file (YAML); its listen must be tcp:HOST:PORT.")
    var config: String = "/etc/oidc-fcgi/config.yaml"

    @Option(help: "The directory to write oidc-fcgi-endpoints.conf, -endpoints-cgi.conf, -protect.conf and -api.conf into.")
    var out: String

    @Option(help: "The oidc-fcgi binary the CGI endpoints run.")
    var binary: String = ApacheSnippets.defaultBinary

    func run() throws {
        let source = try SnippetConfigLoading.source(file: config)
        let snippets = try SnippetConfigLoading.generated { () throws(SnippetError) in try ApacheSnippets.generate(from: source, binary: binary) }
        try SnippetConfigLoading.write(snippets, to: out)
    }
}
