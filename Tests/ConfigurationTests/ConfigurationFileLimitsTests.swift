import Configuration
import Testing

/// A configuration file is small: larger files are refused before parsing,
/// and a file full of mistakes gets a report of bounded length.
@Suite struct ConfigurationFileLimitsTests {
    @Test func fileOverTheLimitIsRefusedBeforeParsing() throws {
        let directory = try TemporaryDirectory()
        let line = Array("unknown_key_0000: value\n".utf8)
        var bytes: [UInt8] = []
        while bytes.count <= 2 * ConfigurationLoader.maximumFileBytes { bytes += line }
        let path = try directory.write("huge.yaml", bytes)
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.load(file: path) })
        #expect(error.problems.map(\.message) == ["is larger than 1 MiB; a configuration file is a few kilobytes (is this the right file?)"])
        #expect(error.unreportedCount == 0)
    }

    @Test func deviceThatNeverEndsIsRefused() throws {
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.load(file: "/dev/zero") })
        #expect(error.problems.first?.message.hasPrefix("is larger than 1 MiB") == true)
    }

    @Test func bytesAndTextOverTheLimitAreRefused() {
        let big = String(repeating: "# padding\n", count: ConfigurationLoader.maximumFileBytes / 10 + 1)
        #expect(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(yaml: minimalYAML + big) } != nil)
        #expect(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(bytes: Array((minimalYAML + big).utf8)) }?
            .problems.first?.message.hasPrefix("is larger than") == true)
    }

    @Test func manyProblemsAreReportedFirstFiftyThenCounted() throws {
        let count = 40_000
        var yaml = minimalYAML + "\n"
        for index in 0..<count { yaml += "unknown_\(index): x\n" }
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(yaml: yaml) })
        #expect(error.problems.count == ConfigurationError.maximumReported)
        #expect(error.problems.first?.path == "unknown_0")
        #expect(error.unreportedCount == count - ConfigurationError.maximumReported)
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == 1 + ConfigurationError.maximumReported + 1)
        #expect(lines.last == "  … and \(count - ConfigurationError.maximumReported) more")
    }

    @Test func secretFileThatNeverEndsIsRefused() throws {
        let yaml = minimalYAML.replacingOccurrences(of: "secrets: [\"0123456789abcdef0123456789abcdef-first\"]", with: "secret_file: /dev/zero")
        let error = try #require(configurationError { () throws(ConfigurationError) in try ConfigurationLoader.parse(yaml: yaml) })
        #expect(error.problems.contains { $0.path == "session.secret_file" && $0.message == "/dev/zero is larger than 64 KiB; it should hold secrets only" })
    }
}
