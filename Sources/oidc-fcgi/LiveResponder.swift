import RelyingParty
import Synchronization

/// The responder that answers new requests, swapped whole by a reload. Each
/// request reads it once (one uncontended lock, one retain), so a request
/// started before a swap finishes on the configuration it began with.
final class LiveResponder: Sendable {
    private let current: Mutex<Wiring.Built>

    init(_ built: Wiring.Built) {
        current = Mutex(built)
    }

    var built: Wiring.Built { current.withLock { $0 } }

    func replace(with built: Wiring.Built) {
        current.withLock { $0 = built }
    }

    func respond(_ request: Request) -> Response {
        let responder = current.withLock { $0.responder }
        return responder.respond(request)
    }
}
