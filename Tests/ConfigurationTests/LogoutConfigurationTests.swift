import Configuration
import RelyingParty
import Testing

@Suite struct LogoutConfigurationTests {
    private func load(_ logout: String) throws(ConfigurationError) -> ServiceConfiguration {
        try ConfigurationLoader.parse(yaml: logout + "\n" + minimalYAML)
    }

    @Test func defaults() throws {
        let logout = try ConfigurationLoader.parse(yaml: minimalYAML).settings.logout
        #expect(logout.path == "/oidc/logout" && logout.postLogoutURL == "/" && !logout.postOnly)
    }

    @Test func everyKeyIsRead() throws {
        let logout = try load("logout: {path: /auth/logout, post_logout_url: /signed-out, post_only: true}").settings.logout
        #expect(logout.path == "/auth/logout" && logout.postLogoutURL == "/signed-out" && logout.postOnly)
    }

    @Test(arguments: [
        ("logout: {path: oidc/logout}", "logout.path"), ("logout: {path: //evil}", "logout.path"),
        ("logout: {path: /oidc/callback}", "logout.path"), ("logout: {post_logout_url: https://evil.example/}", "logout.post_logout_url"),
        ("logout: {post_logout_url: //evil.example/}", "logout.post_logout_url"), ("logout: {post_only: maybe}", "logout.post_only"),
        ("logout: {return: /}", "logout.return"),
    ])
    func mistakesNameTheirKey(yaml: String, path: String) {
        let error = configurationError { () throws(ConfigurationError) in try load(yaml) }
        #expect(error?.problems.contains { $0.path == path } == true, "\(String(describing: error))")
    }
}
