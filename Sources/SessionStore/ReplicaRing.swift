import RelyingParty

/// Which servers hold copies of a key besides its own (`session.memcached.replicas`).
///
/// A key's own server is the one ketama hashing picks; its replicas are the
/// next `replicas` servers after it in the servers' sorted order, so every
/// instance that lists the same servers, in whatever order, agrees on them.
///
/// What each operation does with copies:
/// - reads ask the key's own server, and a replica only when that server
///   cannot be asked (down, hung, or being skipped after a failure); a miss
///   is an answer, so a server that restarted empty still logs its users out;
/// - `set` and `touch` go to every copy and succeed when one of them did;
/// - `add` goes to every copy and is refused when any copy already had the key,
///   so a one-time marker counts as used wherever it was recorded;
/// - `delete` goes to every copy and fails when any copy could not be asked:
///   a session left on a server that was hung could otherwise come back when
///   that server answers again.
struct ReplicaRing: Sendable {
    let replicas: Int
    /// For each server (configuration position), its replicas' positions.
    private let followers: [[Int]]

    init(servers: [String], replicas: Int) throws(StoreError) {
        guard replicas >= 0 else { throw .rejected("memcached replicas must be 0 or more, got \(replicas)") }
        guard replicas < max(servers.count, 1) else {
            throw .rejected(
                "memcached replicas (\(replicas)) must be fewer than the servers (\(servers.count)): each copy needs a server of its own")
        }
        self.replicas = replicas
        let ring = servers.indices.sorted { (servers[$0], $0) < (servers[$1], $1) }
        var followers = [[Int]](repeating: [], count: servers.count)
        for (position, server) in ring.enumerated() {
            followers[server] = (0..<replicas).map { ring[(position + 1 + $0) % ring.count] }
        }
        self.followers = followers
    }

    /// The replicas of a key whose own server is `server`, in the order to ask them.
    func replicaServers(of server: Int) -> [Int] { followers[server] }
}
