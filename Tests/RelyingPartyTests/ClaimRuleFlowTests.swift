import Foundation
import Testing
@testable import RelyingParty

/// `OIDC_REQUIRE` through `Responder`: the auth answer, nginx's 403 location
/// and the Apache authorizer.
@Suite struct ClaimRuleFlowTests {
    private func signedIn(groups: [String], rules: [String: String] = [:]) throws -> FlowHarness {
        let flow = FlowHarness(claimRules: try ClaimRuleBook(named: rules))
        flow.provider.setClaim("groups", .array(groups.map { .string($0) }))
        let authorization = flow.startLogin()
        #expect(flow.send(flow.request("callback", uri: flow.callbackURI(for: authorization))).status == 302)
        return flow
    }

    private func auth(_ flow: FlowHarness, require: String?, role: String? = nil, headers: [String: String] = ["Accept": "text/html"]) -> Response {
        var params = ["OIDC_ACTION": "auth"]
        if let require { params["OIDC_REQUIRE"] = require }
        if let role { params = ["FCGI_ROLE": role, "OIDC_REQUIRE": require ?? ""] }
        return flow.send(.browser(uri: "/admin", headers: headers, cookie: flow.jar.header, params: params))
    }

    @Test func aSessionMeetingTheRuleIsAllowed() throws {
        let flow = try signedIn(groups: ["staff", "admins"])
        let answer = auth(flow, require: "groups:admins")
        #expect(answer.status == 200)
        #expect(answer.header("X-Remote-User") == "alice")
        #expect(auth(flow, require: "").status == 200)
    }

    @Test func aSessionFailingTheRuleIs403WithoutALoginOrCookie() throws {
        let flow = try signedIn(groups: ["staff"])
        let answer = auth(flow, require: "groups:admins")
        #expect(answer.status == 403)
        #expect(answer.header("Location") == nil)
        #expect(answer.headers(named: "Set-Cookie").isEmpty)
        #expect(answer.header("X-Remote-User") == nil)
        let body = try #require(answer.header("OIDC-Error-Body"))
        #expect(body.contains("access_denied"))
        #expect(!body.contains("groups"))
    }

    @Test func namedRuleSetsFromTheConfigurationApply() throws {
        let flow = try signedIn(groups: ["ops"], rules: ["operators": "any(groups:ops groups:admins)"])
        #expect(auth(flow, require: "@operators").status == 200)
        #expect(auth(flow, require: "@operators groups:admins").status == 403)
    }

    @Test func aMalformedOrUnknownRuleFailsClosed() throws {
        let flow = try signedIn(groups: ["admins"])
        #expect(auth(flow, require: "groups:admins any(").status == 500)
        #expect(auth(flow, require: "@nowhere").status == 500)
        #expect(auth(flow, require: "email~(a)\\1").status == 500)
    }

    @Test func withoutASessionTheRuleDoesNotChangeTheAnswer() {
        let flow = FlowHarness()
        #expect(auth(flow, require: "groups:admins").status == 401)
    }

    @Test func theApacheAuthorizerAnswersWithAPage() throws {
        let flow = try signedIn(groups: ["staff"])
        let page = auth(flow, require: "groups:admins", role: "AUTHORIZER")
        #expect(page.status == 403)
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(String(decoding: page.body, as: UTF8.self).contains("Access denied"))
        #expect(auth(flow, require: "groups:staff", role: "AUTHORIZER").status == 200)
    }

    @Test func nginxsForbiddenLocationShowsBrowsersAPageAndAPIsJSON() {
        let flow = FlowHarness()
        let denial = #"{"error":"access_denied","error_description":"You do not have access to this page"}"#
        let page = flow.send(.browser(uri: "/admin", headers: ["Accept": "text/html", "Sec-Fetch-Mode": "navigate"], cookie: "",
                                      params: ["OIDC_ACTION": "forbidden", "OIDC_ERROR_BODY": denial]))
        #expect(page.status == 403)
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(String(decoding: page.body, as: UTF8.self).contains("do not have access"))

        let challenge = #"Bearer realm="oidc-fcgi", error="insufficient_scope", error_description="The access token lacks a scope this resource requires", scope="orders:read""#
        let api = flow.send(.browser(uri: "/api", headers: ["Accept": "application/json"], cookie: "",
                                     params: ["OIDC_ACTION": "forbidden", "OIDC_MODE": "api", "OIDC_WWW_AUTHENTICATE": challenge,
                                              "OIDC_ERROR_BODY": #"{"error":"insufficient_scope","error_description":"The access token lacks a scope this resource requires"}"#]))
        #expect(api.status == 403)
        #expect(api.header("WWW-Authenticate") == challenge)
        let json = try? JSONSerialization.jsonObject(with: Data(api.body)) as? [String: String]
        #expect(json?["error"] == "insufficient_scope")
    }

    @Test func theForbiddenLocationNeverAllowsAndEscapesWhatItRelays() {
        let flow = FlowHarness()
        for body in [nil, "", "not json", #"{"error":5}"#, #"{"error":"x","error_description":"<script>alert(1)</script>"}"#] {
            var params = ["OIDC_ACTION": "forbidden"]
            if let body { params["OIDC_ERROR_BODY"] = body }
            let page = flow.send(.browser(uri: "/admin", headers: ["Accept": "text/html"], cookie: "", params: params))
            #expect(page.status == 403)
            #expect(!String(decoding: page.body, as: UTF8.self).contains("<script>"))
        }
        let crlf = flow.send(.browser(uri: "/api", headers: ["Accept": "application/json"], cookie: "",
                                      params: ["OIDC_ACTION": "forbidden", "OIDC_WWW_AUTHENTICATE": "Bearer\r\nSet-Cookie: x=1"]))
        #expect(crlf.status == 403)
        #expect(crlf.headers(named: "Set-Cookie").isEmpty)
    }
}
