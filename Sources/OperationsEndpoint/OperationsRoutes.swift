/// The paths the operations endpoint answers, each a function giving its
/// answer. Any other path is 404; a known path asked with another method
/// than GET or HEAD is 405.
public struct OperationsRoutes: Sendable {
    private let routes: [String: @Sendable () -> OperationsAnswer]

    public init(_ routes: [String: @Sendable () -> OperationsAnswer]) {
        self.routes = routes
    }

    public func answer(method: String, path: String) -> OperationsAnswer {
        guard let route = routes[path] else { return .notFound }
        guard method == "GET" || method == "HEAD" else { return OperationsAnswer(status: 405, text: "method not allowed\n") }
        return route()
    }

    /// The whole exchange for the bytes of one request head.
    public func answer(to head: OperationsRequestHead) -> OperationsAnswer {
        switch head {
        case .complete(let method, let path): return answer(method: method, path: path)
        case .malformed: return .badRequest
        case .incomplete: return .timedOut
        }
    }
}
