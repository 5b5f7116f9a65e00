// What the provider sends back: the discovery document (mode 0), the token
// endpoint's answer (mode 1) and the userinfo answer (any other mode).
import FuzzSupport
import RelyingParty

Fuzzer.run { bytes in
    let (mode, body) = FuzzInput(bytes).selector
    switch mode {
    case 0:
        if let metadata = try? ProviderMetadata.parse(discoveryDocument: body, expectedIssuer: FixtureProvider.issuer) {
            precondition(metadata.issuer == FixtureProvider.issuer, "discovery accepted another issuer")
        }
    case 1:
        if let response = TokenResponse.parse(body) {
            precondition(!response.idToken.isEmpty, "token response accepted without an ID token")
        }
    default:
        let client = UserInfoClient(http: FixedResponseTransport(body: body))
        if let claims = try? client.fetch(endpoint: "https://idp.example.com/userinfo", accessToken: "at", expectedSubject: "248289761001") {
            precondition(claims["sub"]?.stringValue == "248289761001", "userinfo accepted another subject")
        }
    }
}
