/// One include file for a web server: its file name and its whole text.
public struct Snippet: Sendable, Equatable {
    public let fileName: String
    public let text: String

    public init(fileName: String, text: String) {
        self.fileName = fileName
        self.text = text
    }
}
