// The session record decoder behind a cookie. Mode 0: the store holds the
// input as is (so it must fail to open). Otherwise the input is sealed with
// the session key first, so the JSON decoder and the expiry rules see it.
import FuzzSupport
import RelyingParty

// A session id with one logout group (its user), whose entry holds generation
// "g": a record must carry "g":["g"] to be accepted.
let settings = SessionSettings(secrets: [fuzzSecret])
let userGroup = SessionGroup(.user, provider: "main", value: "248289761001", secret: fuzzSecret)
let cookie = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8." + userGroup.tag
let storeKey = SessionID(cookieValue: cookie)!.storeKey
let sealer = Sealer(secrets: [fuzzSecret], purpose: "session", random: CountingRandom())

Fuzzer.run { bytes in
    let (mode, rest) = FuzzInput(bytes).selector
    let stored = mode == 0 ? rest : sealer.seal(rest, context: storeKey)
    let store = DictionaryStore()
    try? store.set(storeKey, value: stored, ttlSeconds: 3600)
    try? store.set(userGroup.storeKey, value: Array("g".utf8), ttlSeconds: 3600)
    let manager = SessionManager(store: store, settings: settings, clock: FixedClock(1_800_000_000), random: CountingRandom())
    switch try? manager.lookup(cookieValue: cookie) {
    case .valid(let record):
        precondition(record.expiresAt > 1_800_000_000, "an expired session was accepted")
        precondition(mode != 0, "an unsealed store value was accepted")
    default:
        break
    }
}
