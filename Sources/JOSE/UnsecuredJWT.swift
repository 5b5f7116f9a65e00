import Foundation

/// An Unsecured JWS (RFC 7515 §A.5, RFC 7519 §6): header `{"alg":"none"}` and an
/// empty signature. Only read, never accepted here: whether one may be trusted is
/// the caller's policy (an ID token straight from an https token endpoint, when
/// the operator opted in).
public enum UnsecuredJWT {
    /// The decoded payload when `compact` is exactly an unsecured JWS (three parts,
    /// the last empty, a JSON header whose `alg` is "none" and without `crit`); else nil.
    public static func payload(ofCompact compact: String) -> [UInt8]? {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].isEmpty, !parts[0].isEmpty, !parts[1].isEmpty,
              let headerBytes = Base64URL.decode(String(parts[0])),
              let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any],
              header["alg"] as? String == "none", header["crit"] == nil,
              let payload = Base64URL.decode(String(parts[1]))
        else { return nil }
        return payload
    }

    /// Whether the token's header says `"alg": "none"` (signature part aside).
    public static func claimsNone(_ compact: String) -> Bool {
        guard let first = compact.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first,
              let bytes = Base64URL.decode(String(first)),
              let header = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        else { return false }
        return (header["alg"] as? String)?.lowercased() == "none"
    }
}
