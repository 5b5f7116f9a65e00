/// Where registered clients are kept between runs and shared by the instances
/// that use the same `registration.state_dir`: one slot per provider. The real
/// one is a file per provider (`RegisteredClientFile`, in Configuration); the
/// core only reads, replaces and locks slots through this.
public protocol RegisteredClientStorage: Sendable {
    func slot(stateDirectory: String, provider: String) -> any RegisteredClientSlot
}

/// One provider's registered client.
public protocol RegisteredClientSlot: Sendable {
    /// Names the slot in messages (the file's path).
    var path: String { get }
    /// The stored client; nil when none is stored. Throws, never guesses, when what is stored cannot be used.
    func read() throws(ClientRegistrationError) -> RegisteredClient?
    /// Replaces the stored client in one step.
    func write(_ client: RegisteredClient) throws(ClientRegistrationError)
    /// Runs `body` holding the slot's lock, against other threads and other processes.
    func withLock<T>(_ body: () throws(ClientRegistrationError) -> T) throws(ClientRegistrationError) -> T
}

/// For contexts built without storage (unit tests of other features): a provider
/// configured with `registration` then fails with a message saying so.
public struct UnavailableRegisteredClientStorage: RegisteredClientStorage, RegisteredClientSlot {
    public init() {}
    public var path: String { "(no registered-client storage)" }
    public func slot(stateDirectory: String, provider: String) -> any RegisteredClientSlot { self }
    public func read() throws(ClientRegistrationError) -> RegisteredClient? { throw failure }
    public func write(_ client: RegisteredClient) throws(ClientRegistrationError) { throw failure }
    public func withLock<T>(_ body: () throws(ClientRegistrationError) -> T) throws(ClientRegistrationError) -> T { throw failure }
    private var failure: ClientRegistrationError { .unreadableFile(path: path, reason: "this program was built without a state directory for registered clients") }
}
