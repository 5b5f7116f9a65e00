import JOSE
import RelyingParty

/// States of the shape oidc-fcgi issues (43 base64url characters), one per
/// label, so tests can name them while the code under test accepts them.
enum WellFormedState {
    static func named(_ label: String) -> String {
        Base64URL.encode(Digest.sha256(label))
    }
}
