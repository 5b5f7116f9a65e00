import Synchronization

/// Idle easy handles waiting for the next request. Checking one out gives the
/// caller sole use of it; a caller that finds none idle gets a new one, and at
/// most `maxIdle` are kept when they come back.
final class EasyHandlePool: Sendable {
    private let idle: Mutex<[EasyHandle]>
    let maxIdle: Int

    init(maxIdle: Int) {
        self.maxIdle = max(1, maxIdle)
        idle = Mutex([])
    }

    func checkOut() -> EasyHandle? {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return EasyHandle()
    }

    func checkIn(_ handle: EasyHandle) {
        // The surplus handle (if any) is released outside the lock.
        let surplus: EasyHandle? = idle.withLock { handles in
            guard handles.count < maxIdle else { return handle }
            handles.append(handle)
            return nil
        }
        _ = surplus
    }

    var idleCount: Int { idle.withLock { $0.count } }
}
