import Foundation

/// A session record as versions before `SessionRecordCodec` stored it: JSON
/// with short keys. Read so that an upgrade logs nobody out; never written.
struct LegacySessionRecord: Decodable {
    let p: String
    let s: String
    let sid: String?
    let u: String
    let c: [String: JSONValue]
    let it: String
    let at: String?
    let rt: String?
    let ate: Int64?
    let ca: Int64
    let ls: Int64
    let ea: Int64
    let g: [String]
    let ck: Int64?
    let au: Int64?
    let acr: String?
    let lma: Int64?

    static func decode(_ plain: [UInt8]) -> SessionRecord? {
        guard let old = try? JSONDecoder().decode(LegacySessionRecord.self, from: Data(plain)) else { return nil }
        return SessionRecord(
            provider: old.p, subject: old.s, providerSessionID: old.sid, user: old.u, claims: old.c, idToken: old.it,
            accessToken: old.at, refreshToken: old.rt, accessTokenExpiresAt: old.ate, createdAt: old.ca, lastSeenAt: old.ls,
            expiresAt: old.ea, groupGenerations: old.g, checkedAt: old.ck, authenticatedAt: old.au, acr: old.acr, loginMaxAge: old.lma)
    }
}
