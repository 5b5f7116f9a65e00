/// A fixed-capacity table of keyed entries in least-recently-used order:
/// a dictionary from key to slot and a doubly linked list threaded through an
/// array of slots by index, so lookup, insert, touch and removal are O(1) and
/// no per-entry object is allocated. Not thread-safe; `MemoryStore` guards it.
struct LRUTable<Value> {
    private struct Slot {
        var key: String
        var value: Value
        var expiresAt: Int64
        var newer: Int  // towards the head (most recent); -1 at the head
        var older: Int  // towards the tail (least recent); -1 at the tail
    }

    let capacity: Int
    private var index: [String: Int] = [:]
    private var slots: [Slot] = []
    private var freeSlots: [Int] = []
    private var head = -1  // most recently used
    private var tail = -1  // least recently used

    init(capacity: Int) {
        precondition(capacity > 0, "LRU capacity must be positive")
        self.capacity = capacity
        index.reserveCapacity(min(capacity, 1 << 16))
    }

    var count: Int { index.count }

    /// The live value for `key`, marking it most recently used. An entry that
    /// expired at or before `now` is removed and reported as absent.
    mutating func value(for key: String, now: Int64) -> Value? {
        guard let slot = index[key] else { return nil }
        if slots[slot].expiresAt <= now {
            remove(slot: slot)
            return nil
        }
        moveToHead(slot)
        return slots[slot].value
    }

    /// True when `key` holds an entry that has not expired; expired entries are removed.
    mutating func containsLive(_ key: String, now: Int64) -> Bool {
        value(for: key, now: now) != nil
    }

    /// Inserts or replaces `key`, making it most recently used; evicts the least
    /// recently used entry when the table is full.
    mutating func set(_ key: String, value: Value, expiresAt: Int64) {
        if let slot = index[key] {
            slots[slot].value = value
            slots[slot].expiresAt = expiresAt
            moveToHead(slot)
            return
        }
        if index.count >= capacity, tail >= 0 {
            remove(slot: tail)
        }
        let entry = Slot(key: key, value: value, expiresAt: expiresAt, newer: -1, older: head)
        let slot: Int
        if let reused = freeSlots.popLast() {
            slots[reused] = entry
            slot = reused
        } else {
            slots.append(entry)
            slot = slots.count - 1
        }
        if head >= 0 { slots[head].newer = slot }
        head = slot
        if tail < 0 { tail = slot }
        index[key] = slot
    }

    /// Gives a live entry a new expiry without changing its value or its place
    /// in the LRU order; false when `key` is absent or expired.
    mutating func touch(_ key: String, expiresAt: Int64, now: Int64) -> Bool {
        guard let slot = index[key] else { return false }
        if slots[slot].expiresAt <= now {
            remove(slot: slot)
            return false
        }
        slots[slot].expiresAt = expiresAt
        return true
    }

    @discardableResult
    mutating func removeValue(for key: String) -> Bool {
        guard let slot = index[key] else { return false }
        remove(slot: slot)
        return true
    }

    /// Keys from most to least recently used (for tests and diagnostics).
    var keysByRecency: [String] {
        var keys: [String] = []
        var slot = head
        while slot >= 0 {
            keys.append(slots[slot].key)
            slot = slots[slot].older
        }
        return keys
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer
        let older = slots[slot].older
        if newer >= 0 { slots[newer].older = older } else { head = older }
        if older >= 0 { slots[older].newer = newer } else { tail = newer }
        slots[slot].newer = -1
        slots[slot].older = -1
    }

    private mutating func moveToHead(_ slot: Int) {
        guard slot != head else { return }
        unlink(slot)
        slots[slot].older = head
        if head >= 0 { slots[head].newer = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    private mutating func remove(slot: Int) {
        unlink(slot)
        index.removeValue(forKey: slots[slot].key)
        freeSlots.append(slot)
    }
}
