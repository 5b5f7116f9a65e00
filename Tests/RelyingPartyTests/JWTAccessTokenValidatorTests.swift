import JOSE
import Testing
import RelyingParty

@Suite struct JWTAccessTokenValidatorTests {
    private let fixtures = AccessTokenFixtures()
    private let validator = JWTAccessTokenValidator()

    private func validate(_ name: String, _ expected: AccessTokenExpectations? = nil) throws(AccessTokenError) -> AccessTokenIdentity {
        try validator.validate(fixtures.token(name), keys: fixtures.keys, expecting: expected ?? fixtures.expecting())
    }

    private func rejection(_ name: String, _ expected: AccessTokenExpectations? = nil) -> AccessTokenError? {
        do { _ = try validate(name, expected) } catch { return error }
        return nil
    }

    @Test func aValidTokenGivesItsIdentity() throws {
        let identity = try validate("valid")
        #expect(identity.subject == "service-user-7")
        #expect(identity.clientID == fixtures.clientID)
        #expect(identity.scopes == ["orders:read", "orders:write"])
        #expect(identity.audiences == [fixtures.audience])
        #expect(identity.expiresAt == fixtures.now + 300)
        #expect(identity.claims == ["email": .string("svc@example.com")], "only the claims kept for headers")
    }

    @Test func withoutKidTheKeyIsFoundByTrying() throws {
        #expect(try validate("valid_no_kid").subject == "service-user-7")
    }

    @Test func audienceMayBeAnArrayHoldingAnAcceptedOne() throws {
        #expect(try validate("valid_aud_array").audiences == ["https://other.example.com", fixtures.audience])
    }

    @Test func scpIsReadWhenThereIsNoScope() throws {
        #expect(try validate("valid_scp_array").scopes == ["orders:read", "admin"])
    }

    @Test func aTokenWithoutSubFallsBackToItsClientForTheUser() throws {
        let identity = try validate("valid_no_sub")
        #expect(identity.subject == nil)
        #expect(identity.user(claim: "sub") == fixtures.clientID)
    }

    @Test func typIsCheckedOnlyWhenRequired() throws {
        for name in ["valid_typ_jwt", "valid_no_typ"] {
            _ = try validate(name)
            #expect(rejection(name, fixtures.expecting(requireTyp: true))?.rejectsToken == true)
        }
        #expect(rejection("valid_typ_jwt", fixtures.expecting(requireTyp: true)) == .wrongType("JWT"))
        #expect(rejection("valid_no_typ", fixtures.expecting(requireTyp: true)) == .wrongType(nil))
        _ = try validate("valid", fixtures.expecting(requireTyp: true))
        _ = try validate("valid_typ_application", fixtures.expecting(requireTyp: true))
    }

    @Test func timesAreCheckedWithTheClockSkew() throws {
        #expect(rejection("expired") == .expired)
        _ = try validate("expired_within_skew")
        #expect(rejection("not_yet_valid") == .notYetValid)
        #expect(rejection("issued_in_future") == .issuedInFuture)
        #expect(rejection("no_exp") == .missingClaim("exp"))
        #expect(rejection("exp_string") == .invalidClaim("exp"))
    }

    @Test func issuerAndAudienceMustMatch() {
        #expect(rejection("wrong_iss") == .wrongIssuer(expected: fixtures.issuer, got: "https://evil.example.com"))
        #expect(rejection("wrong_aud") == .wrongAudience)
        #expect(rejection("no_aud") == .missingClaim("aud"))
        #expect(rejection("valid", fixtures.expecting(audiences: [fixtures.clientID])) == .wrongAudience)
    }

    @Test func signaturesByOtherKeysAndUnsignedTokensAreRefused() {
        guard case .signature(.badSignature)? = rejection("foreign_key") else { Issue.record("foreign key accepted"); return }
        guard case .signature(.noMatchingKey)? = rejection("previous_key") else { Issue.record("unknown kid accepted"); return }
        guard case .signature(.unsupportedAlgorithm("none"))? = rejection("alg_none") else { Issue.record("alg none accepted"); return }
    }

    @Test func symmetricAlgorithmsAreNeverAcceptedEvenWhenListed() {
        let expected = fixtures.expecting(algorithms: [.rs256, .hs256])
        #expect(!expected.allowedAlgorithms.contains(.hs256))
        guard case .signature(.algorithmNotAllowed("HS256"))? = rejection("hs256", expected) else { Issue.record("HS256 accepted"); return }
    }

    @Test func anAlgorithmOutsideTheAllowListIsRefused() {
        guard case .signature(.algorithmNotAllowed("RS256"))? = rejection("valid", fixtures.expecting(algorithms: [.es256])) else {
            Issue.record("RS256 accepted outside the allow-list"); return
        }
    }

    @Test func jwtShapeIsRecognised() {
        #expect(JWTAccessTokenValidator.looksLikeJWT(fixtures.token("valid")))
        #expect(JWTAccessTokenValidator.looksLikeJWT(fixtures.token("alg_none")))
        #expect(!JWTAccessTokenValidator.looksLikeJWT("opaque-token-123"))
        #expect(!JWTAccessTokenValidator.looksLikeJWT("a.b.c"))
        #expect(!JWTAccessTokenValidator.looksLikeJWT("eyJhbGciOiJSUzI1NiJ9.e30"))
    }

    @Test func errorsForTheClientAreShortFixedTexts() {
        let errors: [AccessTokenError] = [.expired, .wrongIssuer(expected: "a", got: "evil\"\r\n"), .signature(.badSignature), .inactive, .wrongAudience]
        for error in errors {
            #expect(error.rejectsToken)
            #expect(!error.clientDescription.contains("\""))
            #expect(!error.clientDescription.contains("evil"))
            #expect(error.clientDescription.utf8.count < 80)
        }
        #expect(!AccessTokenError.providerUnavailable(.notLoadedYet(issuer: "x")).rejectsToken)
    }
}
