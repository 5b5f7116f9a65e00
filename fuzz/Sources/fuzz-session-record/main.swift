// The session record decoder behind a cookie. Mode 0: the store holds the
// input as is (so it must fail to open). Otherwise the input is sealed with
// the session key first, so the JSON decoder and the expiry rules see it.
import FuzzSupport
import RelyingParty

let cookie = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
let storeKey = SessionID(cookieValue: cookie)!.storeKey
let settings = SessionSettings(secrets: [fuzzSecret])
let sealer = Sealer(secrets: [fuzzSecret], purpose: "session", random: CountingRandom())

Fuzzer.run { bytes in
    let (mode, rest) = FuzzInput(bytes).selector
    let stored = mode == 0 ? rest : sealer.seal(rest, context: storeKey)
    let manager = SessionManager(store: FixedValueStore(value: stored), settings: settings, clock: FixedClock(1_800_000_000), random: CountingRandom())
    switch try? manager.lookup(cookieValue: cookie) {
    case .valid(let record):
        precondition(record.expiresAt > 1_800_000_000, "an expired session was accepted")
        precondition(mode != 0, "an unsealed store value was accepted")
    default:
        break
    }
}
