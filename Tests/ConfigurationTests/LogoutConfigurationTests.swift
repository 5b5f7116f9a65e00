import Configuration
import RelyingParty
import Testing

@Suite struct LogoutConfigurationTests {
    private func load(_ logout: String) throws(ConfigurationError) -> ServiceConfiguration {
        try ConfigurationLoader.parse(yaml: logout + "\n" + minimalYAML)
    }

    @Test func defaults() throws {
        let logout = try ConfigurationLoader.parse(yaml: minimalYAML).settings.logout
        #expect(logout.path == "/oidc/logout" && logout.postLogoutURL == nil && !logout.postOnly)
        #expect(logout.backchannelPath == "/oidc/backchannel-logout" && logout.frontchannelPath == "/oidc/frontchannel-logout")
    }

    @Test func providerLogoutPathsAreRead() throws {
        let logout = try load("logout: {backchannel_path: /sso/bc, frontchannel_path: /sso/fc}").settings.logout
        #expect(logout.backchannelPath == "/sso/bc" && logout.frontchannelPath == "/sso/fc")
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
        ("logout: {backchannel_path: /oidc/logout}", "logout.backchannel_path"), ("logout: {frontchannel_path: relative}", "logout.frontchannel_path"),
        ("logout: {backchannel_path: /x, frontchannel_path: /x}", "logout.frontchannel_path"),
        ("logout: {frontchannel_path: /oidc/callback}", "logout.frontchannel_path"),
    ])
    func mistakesNameTheirKey(yaml: String, path: String) {
        let error = configurationError { () throws(ConfigurationError) in try load(yaml) }
        #expect(error?.problems.contains { $0.path == path } == true, "\(String(describing: error))")
    }
}
