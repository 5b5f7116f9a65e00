import ArgumentParser
import Configuration
import Foundation
import WebServerSnippets

/// The configuration as the snippet commands read it: loaded and validated like
/// `serve` does, named by its absolute path (the generated files say where they
/// came from, and the CGI endpoints read it from any directory).
enum SnippetConfigLoading {
    static func source(file: String) throws -> SnippetSource {
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        do {
            return SnippetSource(configFile: absolute, service: try ConfigurationLoader.load(file: absolute))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    static func generated(_ make: () throws(SnippetError) -> [Snippet]) throws -> [Snippet] {
        do { return try make() } catch {
            FileHandle.standardError.write(Data("cannot write the include files: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Writes each file into `directory` (created when missing) and names it.
    static func write(_ snippets: [Snippet], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for snippet in snippets {
                let path = (directory as NSString).appendingPathComponent(snippet.fileName)
                try Data(snippet.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                print("wrote \(path)")
            }
        } catch {
            FileHandle.standardError.write(Data("cannot write into \(directory): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
    }
}
