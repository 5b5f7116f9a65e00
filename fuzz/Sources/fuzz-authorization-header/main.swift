// The Authorization request header: the bearer token read from it
// (RFC 6750 §2.1). A token that is returned must be a whole b64token within
// the size limit, whatever the header held.
import FuzzSupport
import RelyingParty

let limit = 512
let b64token = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=".utf8)

Fuzzer.run { bytes in
    let header = FuzzInput(bytes).text
    let parsed = BearerToken.parse(authorization: header, maxBytes: limit)
    if case .token(let token) = parsed {
        precondition(!token.isEmpty && token.utf8.count <= limit, "a returned token is empty or over the limit")
        precondition(token.utf8.allSatisfy(b64token.contains), "a returned token has a character outside b64token")
        precondition(BearerToken.isBearer(parsed))
    }
}
