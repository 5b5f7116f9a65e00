// Query strings and form bodies (the callback's form POST): decoding, the
// single-value rule, and the round trip of what decodes.
import FuzzSupport
import RelyingParty

Fuzzer.run { bytes in
    let pairs = FormEncoding.decode(FuzzInput(bytes).text)
    for name in ["code", "state", "iss", "error", "return_to"] {
        _ = FormEncoding.single(name, in: pairs)
    }
    // What we encode, we decode back unchanged.
    let again = FormEncoding.decode(FormEncoding.encode(pairs.map { ($0.name, $0.value) }))
    precondition(again.map(\.name) == pairs.map(\.name) && again.map(\.value) == pairs.map(\.value),
                 "form encoding round trip changed the pairs")
    _ = FormEncoding.append(pairs.map { ($0.name, $0.value) }, to: "https://idp.example.com/auth?x=1")
}
