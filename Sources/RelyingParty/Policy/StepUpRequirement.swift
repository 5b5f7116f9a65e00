/// How recent and how strong a location wants the user's sign-in to be, from
/// its `OIDC_MAX_AGE` and `OIDC_ACR_VALUES` parameters (nginx
/// `set $oidc_max_age 0;`, `set $oidc_acr_values "urn:mfa";`). Both are
/// checked against the session record alone, so the auth answer never asks the
/// provider; a session that falls short is sent to log in again with them.
struct StepUpRequirement: Sendable, Equatable {
    static let maxAgeParameter = "OIDC_MAX_AGE"
    static let acrValuesParameter = "OIDC_ACR_VALUES"
    /// The least grace of a session signed in for a demand at least as strict,
    /// whatever `clock_skew` says: the page whose `max_age 0` started a login is
    /// served when the browser comes back from it, and asks again on a later visit.
    static let minimumGraceSeconds: Int64 = 30
    /// Longer values are a configuration mistake, not a freshness demand.
    static let maxAcrValuesBytes = 1024

    /// Seconds since the user's authentication at the provider; nil: any age.
    var maxAge: Int64?
    /// The acceptable `acr` values, in order of preference; empty: any.
    var acrValues: [String]

    var isEmpty: Bool { maxAge == nil && acrValues.isEmpty }

    /// A malformed parameter of the web server's configuration.
    enum Malformed: Error, CustomStringConvertible {
        case maxAge(String)
        case acrValues

        var description: String {
            switch self {
            case .maxAge(let given):
                return "OIDC_MAX_AGE must be a whole number of seconds (0 or more), got \(String(given.prefix(40)).debugDescription)"
            case .acrValues:
                return "OIDC_ACR_VALUES must be space-separated printable values, at most \(StepUpRequirement.maxAcrValuesBytes) bytes"
            }
        }
    }

    /// The location's demand; empty when it sets neither parameter.
    static func of(_ request: Request) throws(Malformed) -> StepUpRequirement {
        try parse(maxAge: request.params[maxAgeParameter], acrValues: request.params[acrValuesParameter])
    }

    /// From the two texts (a location's parameters, or a login link's `max_age`
    /// and `acr_values`); nil or empty means no demand.
    static func parse(maxAge maxAgeText: String?, acrValues acrText: String?) throws(Malformed) -> StepUpRequirement {
        var requirement = StepUpRequirement(maxAge: nil, acrValues: [])
        if let text = maxAgeText, !text.isEmpty {
            guard text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let seconds = Int64(text) else {
                throw .maxAge(text)
            }
            requirement.maxAge = seconds
        }
        if let text = acrText, !text.isEmpty {
            guard text.utf8.count <= maxAcrValuesBytes, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw .acrValues }
            requirement.acrValues = text.split(separator: " ").map(String.init)
        }
        return requirement
    }

    /// What the session falls short of, in words for the log; nil when it meets the demand.
    func shortfall(of session: SessionRecord, now: Int64, clockSkewSeconds: Int64) -> String? {
        if let maxAge {
            guard let authenticatedAt = session.authenticatedAt else { return "the session does not know when the user signed in" }
            // Any other session is held to the letter: a sign-in seconds ago for
            // another page does not stand in for the one `max_age 0` asks for.
            let signedInForThis = session.loginMaxAge.map { $0 <= maxAge } ?? false
            let grace = signedInForThis ? max(clockSkewSeconds, Self.minimumGraceSeconds) : 0
            // Times are whole seconds: without this, a sign-in in the same second would pass for 0.
            if maxAge == 0 && !signedInForThis { return "the location wants a sign-in made for it (max_age 0)" }
            // Claim-derived values stay on one side of the comparison: no overflow.
            let (oldestAllowed, overflow) = now.subtractingReportingOverflow(maxAge.addingReportingOverflow(grace).partialValue)
            if !overflow && authenticatedAt < oldestAllowed { return "the user signed in \(now - authenticatedAt) s ago, the location allows \(maxAge) s" }
        }
        if !acrValues.isEmpty {
            guard let acr = session.acr, acrValues.contains(acr) else {
                return "the session's acr \((session.acr ?? "none").prefix(100).debugDescription) is not one of the location's"
            }
        }
        return nil
    }
}
