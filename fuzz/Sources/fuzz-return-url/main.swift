// Return and post-logout URL checks: whatever the policy accepts must lead
// to this site or an allowed origin, whatever the candidate looked like.
import Foundation
import FuzzSupport
import RelyingParty

let site = Origin("https://app.example.com")!
let partner = Origin("https://partner.example.com:8443")!
let policy = ReturnURLPolicy(publicOrigin: site, allowedOrigins: [partner])

Fuzzer.run { bytes in
    let candidate = FuzzInput(bytes).text
    _ = Origin(candidate)
    guard let target = policy.resolve(candidate) else { return }
    precondition(!target.utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }, "accepted a control character or backslash")
    guard let components = URLComponents(string: target), let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased() else {
        preconditionFailure("accepted \(target.debugDescription), which does not parse as an absolute URL")
    }
    let origin = Origin(scheme: scheme, host: host, port: components.port ?? (scheme == "https" ? 443 : 80))
    precondition(origin == site || origin == partner, "accepted \(target.debugDescription), which leads to \(origin.serialized)")
}
