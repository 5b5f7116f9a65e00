/// Where an installed include file first departs from the generated one.
public struct SnippetDifference: Sendable, Equatable, CustomStringConvertible {
    public let fileName: String
    /// 1-based.
    public let line: Int
    /// nil past the end of that file.
    public let expected: String?
    public let installed: String?

    /// nil when the two texts are the same line for line.
    public static func between(_ snippet: Snippet, installed: String) -> SnippetDifference? {
        let want = lines(snippet.text)
        let have = lines(installed)
        for index in 0..<max(want.count, have.count) {
            let expected = index < want.count ? want[index] : nil
            let found = index < have.count ? have[index] : nil
            if expected != found {
                return SnippetDifference(fileName: snippet.fileName, line: index + 1, expected: expected, installed: found)
            }
        }
        return nil
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    public var description: String {
        "line \(line): generated \(Self.quote(expected)), installed \(Self.quote(installed))"
    }

    private static func quote(_ line: String?) -> String {
        guard let line else { return "(end of file)" }
        return "`\(line.count > 120 ? String(line.prefix(117)) + "..." : line)`"
    }
}
