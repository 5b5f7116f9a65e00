import Foundation
import Logging
import Synchronization
import Testing
@testable import RelyingParty

/// `log_format: json`: one object per line, metadata as members.
@Suite struct JSONLogHandlerTests {
    private final class Lines: Sendable {
        let collected = Mutex<[String]>([])
        var all: [String] { collected.withLock { $0 } }
    }

    private func logger(_ lines: Lines) -> Logger {
        Logger(label: "test") { label in
            var handler = JSONLogHandler(label: label) { line in lines.collected.withLock { $0.append(line) } }
            handler.logLevel = .info
            return handler
        }
    }

    @Test func eachEventIsOneJSONObjectWithItsMetadata() throws {
        let lines = Lines()
        var log = logger(lines)
        log[metadataKey: "worker"] = "3"
        log.warning("login rejected: replayed\nlogin response", metadata: ["provider": "main", "correlation_id": "abc123", "attempts": .stringConvertible(2)])
        log.debug("not written below the level")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "login rejected: replayed\nlogin response")
        #expect(object["level"] as? String == "warning")
        #expect(object["provider"] as? String == "main")
        #expect(object["correlation_id"] as? String == "abc123")
        #expect(object["attempts"] as? String == "2")
        #expect(object["worker"] as? String == "3")
        let time = try #require(object["time"] as? String)
        #expect(time.hasSuffix("Z") && time.contains("."))
    }

    @Test func nestedMetadataStaysStructured() throws {
        let lines = Lines()
        logger(lines).info("x", metadata: ["list": ["a", "b"], "map": ["k": "v"]])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        #expect(object["list"] as? [String] == ["a", "b"])
        #expect(object["map"] as? [String: String] == ["k": "v"])
    }
}
