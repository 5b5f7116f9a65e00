import Logging

/// The answer for a location in `api` mode (and `either` mode when the request
/// carries a bearer token): 200 with identity headers for a valid access token
/// of the location's provider that meets the location's requirements; 401 with
/// a Bearer challenge for a missing or bad token; 403 `insufficient_scope`;
/// 503 when the provider cannot check the token now. Never a redirect.
struct BearerHandler: Sendable {
    /// How the refusal travels: inside an auth_request answer, or straight to the client.
    enum Delivery: Sendable { case authAnswer, direct }

    let settings: Settings
    let verifier: AccessTokenVerifier
    let identityHeaders: IdentityHeaders
    let logger: Logger

    init(context: RelyingPartyContext) {
        settings = context.settings
        verifier = context.accessTokens
        identityHeaders = context.identityHeaders
        logger = context.logger
    }

    func handle(_ request: Request, delivery: Delivery) -> Response {
        // A bearer token is checked against the first provider a location lists:
        // trying each in turn would send a token meant for one to all the others.
        let provider: ProviderSettings
        do { provider = try LocationProviders.of(request, in: settings).providers[0] } catch {
            logger.error("the location's OIDC_PROVIDER is wrong; fix it in the web server configuration", metadata: ["reason": "\(error)"])
            return Response(status: 500)
        }
        let requirements: APIRequirements
        do { requirements = try APIRequirements.of(request) } catch {
            logger.error("\(error)", metadata: ["uri": "\(request.requestURI.prefix(200))"])
            return Response(status: 500)
        }
        let token: String
        switch BearerToken.parse(request: request, maxBytes: provider.api.maxTokenBytes) {
        case .absent, .otherScheme:
            return refuse(.missingToken(), delivery)
        case .invalid(let problem):
            logger.info("bearer token refused", metadata: ["reason": "\(problem)"])
            return refuse(.refused(.badHeader(problem)), delivery)
        case .token(let value):
            token = value
        }
        let identity: AccessTokenIdentity
        do { identity = try verifier.verify(token, provider: provider) } catch {
            guard error.rejectsToken else {
                logger.error("cannot check the bearer token; denying", metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
                return unavailable(delivery)
            }
            logger.info("bearer token refused", metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
            return refuse(.refused(error), delivery)
        }
        if let audience = requirements.audience, !identity.audiences.contains(audience) {
            let error = AccessTokenError.missingRequiredAudience(audience)
            logger.info("bearer token refused", metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
            return refuse(.refused(error), delivery)
        }
        let missing = requirements.missingScopes(of: identity)
        guard missing.isEmpty else {
            logger.info("bearer token lacks a required scope", metadata: ["provider": "\(provider.name)", "missing": "\(missing.joined(separator: " "))"])
            return refuse(.insufficientScope(required: requirements.scopes), delivery)
        }
        do {
            if let rule = try ClaimRequirement.of(request, in: settings.claimRules), let failure = rule.evaluate(identity.claims) {
                logger.info("bearer token's claims do not satisfy the location's rule; denying",
                            metadata: ["provider": "\(provider.name)", "failed": "\(failure.term.prefix(300))", "uri": "\(request.requestURI.prefix(200))"])
                return refuse(.deniedByRule(), delivery)
            }
        } catch {
            logger.error("the location's OIDC_REQUIRE claim rule is malformed; fix it in the web server configuration", metadata: ["reason": "\(error)"])
            return Response(status: 500)
        }
        guard let user = identity.user(claim: provider.userClaim) else {
            logger.info("bearer token refused", metadata: ["provider": "\(provider.name)", "reason": "\(AccessTokenError.noSubject)"])
            return refuse(.refused(.noSubject), delivery)
        }
        let answer: IdentityHeaders.Answer
        do { answer = try identityHeaders.headers(for: identity, user: user, issuer: provider.issuer) } catch {
            logger.warning("\(error)", metadata: ["user": "\(user.prefix(64))"])
            return refuse(BearerChallenge(status: 403, code: nil, description: "The token's identity cannot be passed to this resource", scope: nil), delivery)
        }
        for (header, bytes) in answer.omitted {
            logger.debug("identity header sent empty: its value does not fit", metadata: ["header": "\(header)", "bytes": "\(bytes)"])
        }
        return Response(status: 200, headers: answer.headers)
    }

    private func refuse(_ challenge: BearerChallenge, _ delivery: Delivery) -> Response {
        switch delivery {
        case .authAnswer: return challenge.authAnswer(realm: settings.api.realm)
        case .direct: return challenge.directAnswer(realm: settings.api.realm)
        }
    }

    /// Fails closed and says when to come back. nginx turns a 503 auth answer into
    /// a 500, which the include files show as a 503.
    private func unavailable(_ delivery: Delivery) -> Response {
        switch delivery {
        case .authAnswer:
            return Response(status: 503, headers: [Response.Header(.retryAfter, "5")])
        case .direct:
            let body = Array("{\"error\":\"temporarily_unavailable\",\"error_description\":\"The identity provider cannot check access tokens right now\"}\n".utf8)
            return Response(status: 503, headers: [
                Response.Header(.retryAfter, "5"), Response.Header(.cacheControl, "no-store"), Response.Header(.contentType, "application/json"),
            ], body: body)
        }
    }
}

extension Response {
    /// A login location must never hand an allow to the client as its answer: a
    /// token that passes on a second look (the cache changed in between) is told to retry.
    var refusalOnly: Response {
        guard status == 200 else { return self }
        return Response(status: 503, headers: [Response.Header(.retryAfter, "1"), Response.Header(.cacheControl, "no-store")])
    }
}
