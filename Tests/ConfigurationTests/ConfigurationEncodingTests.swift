import Configuration
import Testing

/// Bytes that are not UTF-8 are an error naming the line and the key, never
/// silently replaced (a secret or URL would change without a word).
@Suite struct ConfigurationEncodingTests {
    private func bytes(_ text: String, replacing marker: String, with raw: [UInt8]) -> [UInt8] {
        let parts = text.components(separatedBy: marker)
        precondition(parts.count == 2)
        return Array(parts[0].utf8) + raw + Array(parts[1].utf8)
    }

    @Test func invalidByteInAValueNamesTheKeyAndLine() throws {
        let file = bytes(minimalYAML.replacingOccurrences(of: "s3cret", with: "s3cr@t"), replacing: "@", with: [0xFF])
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(bytes: file) })
        #expect(error.problems.count == 1)
        #expect(error.problems[0].path == "providers[0].client_secret")
        #expect(error.problems[0].message == "line 8, column 24: byte 0xFF is not UTF-8; save the file as UTF-8")
    }

    @Test func latin1FileIsRefusedLineByLine() throws {
        // "café" saved as Latin-1 in a comment and in a claim name.
        var file = Array(minimalYAML.utf8) + Array("\n# caf".utf8) + [0xE9] + Array("\nheaders:\n  claims:\n    X-Remote-Name: nom_".utf8) + [0xE9]
        file += Array("\n".utf8)
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(bytes: file) })
        #expect(error.problems.map(\.path) == ["", "headers.claims.X-Remote-Name"])
        #expect(error.problems[0].message.hasPrefix("line 9, column 6: byte 0xE9"))
        #expect(error.problems[1].message.hasPrefix("line 12, column 24: byte 0xE9"))
    }

    @Test(arguments: [
        [0xC0, 0xAF] as [UInt8],     // overlong "/"
        [0xED, 0xA0, 0x80],          // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],    // above U+10FFFF
        [0xE2, 0x82],                // truncated sequence
    ])
    func malformedSequencesAreRefused(raw: [UInt8]) throws {
        let file = bytes(minimalYAML.replacingOccurrences(of: "client_id: app", with: "client_id: app@"), replacing: "@", with: raw)
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(bytes: file) })
        #expect(error.problems.map(\.path) == ["providers[0].client_id"])
    }

    @Test func validNonASCIIIsAccepted() throws {
        let file = Array((minimalYAML + "\n# café ✓ 𝄞\nheaders:\n  claims:\n    X-Remote-Name: nom_complet_é\n").utf8)
        let config = try ConfigurationLoader.parse(bytes: file)
        #expect(config.settings.headers.claimHeaders.map(\.claim) == ["nom_complet_é"])
    }

    @Test func fileOnDiskIsCheckedToo() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("config.yaml", bytes(minimalYAML, replacing: "corp", with: [0x63, 0xF8]))
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.load(file: path) })
        #expect(error.problems.map(\.path) == ["providers[0].name"])
        #expect(error.description.contains("line 5, column 12: byte 0xF8 is not UTF-8"))
    }

    @Test func secretFileMustBeUTF8() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("session.secret", Array("0123456789abcdef0123456789abcdef-".utf8) + [0xFE])
        let yaml = minimalYAML.replacingOccurrences(of: "secrets: [\"0123456789abcdef0123456789abcdef-first\"]", with: "secret_file: session.secret")
        let error = try #require(configurationError { () throws(ConfigurationError) in
            try ConfigurationLoader.parse(yaml: yaml, baseDirectory: directory.url.path)
        })
        #expect(error.problems.first { $0.path == "session.secret_file" }?.message.contains("is not UTF-8 text (line 1)") == true)
    }
}
