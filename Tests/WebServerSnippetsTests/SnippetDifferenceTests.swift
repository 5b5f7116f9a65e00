import Foundation
import Testing
@testable import WebServerSnippets

@Suite struct SnippetDifferenceTests {
    private let generated = Snippet(fileName: "oidc-fcgi-protect.conf", text: "# generated\nauth_request /_oidc/auth;\nproxy_set_header X-Remote-User $oidc_remote_user;\n")

    @Test func theSameTextIsNoDifference() {
        #expect(SnippetDifference.between(generated, installed: generated.text) == nil)
    }

    @Test func anEditedLineIsNamedWithBothVersions() {
        let edited = generated.text.replacingOccurrences(of: "X-Remote-User", with: "X-User")
        let difference = SnippetDifference.between(generated, installed: edited)
        #expect(difference == SnippetDifference(fileName: generated.fileName, line: 3,
                                                expected: "proxy_set_header X-Remote-User $oidc_remote_user;", installed: "proxy_set_header X-User $oidc_remote_user;"))
    }

    @Test func aShortenedOrLongerFileIsADifference() {
        #expect(SnippetDifference.between(generated, installed: "# generated\nauth_request /_oidc/auth;\n")?.installed == nil)
        let longer = SnippetDifference.between(generated, installed: generated.text + "add_header X 1;\n")
        #expect(longer?.line == 4 && longer?.expected == nil)
    }

    @Test func installedDirectoriesAreCheckedFileByFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snippets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let other = Snippet(fileName: "oidc-fcgi-api.conf", text: "set $oidc_mode api;\n")
        #expect(InstalledSnippets.warnings(directory: directory.path, generated: [generated, other], command: "nginx-conf").count == 1, "an empty directory")
        try Data(generated.text.utf8).write(to: directory.appendingPathComponent(generated.fileName))
        #expect(InstalledSnippets.warnings(directory: directory.path, generated: [generated, other], command: "nginx-conf").isEmpty)
        try Data("set $oidc_mode browser;\n".utf8).write(to: directory.appendingPathComponent(other.fileName))
        let warnings = InstalledSnippets.warnings(directory: directory.path, generated: [generated, other], command: "nginx-conf")
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("oidc-fcgi-api.conf differs") == true && warnings.first?.contains("line 1") == true)
    }
}
