import Configuration
import Foundation
import JOSE
import RelyingParty
import Testing

/// A P-256 key for these tests only.
private let testKeyPEM = """
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIKjZYWwEdH5nEALKRbFZ9Mrvm3n1gIsFe9DaE7gpDjzioAoGCCqGSM49
AwEHoUQDQgAEy18S7hcjma58XfEdrwU7iBJjSOU/C7ie3wYlf9H0cIMalW/LgIeH
E3V4Wgi2O9g/LBaqP3Wr/CjC+l0bw6fDPA==
-----END EC PRIVATE KEY-----

"""

private let header = """
public_url: https://app.example.com
session:
  secrets: ["0123456789abcdef0123456789abcdef-first"]
providers:
  - name: corp
    issuer: https://idp.example.com
    client_id: app

"""

private func load(_ lines: String, baseDirectory: String = ".") throws(ConfigurationError) -> ServiceConfiguration {
    try ConfigurationLoader.parse(yaml: header + lines, baseDirectory: baseDirectory)
}

private func problems(_ lines: String, baseDirectory: String = ".") -> [String] {
    let error = configurationError { () throws(ConfigurationError) in try load(lines, baseDirectory: baseDirectory) }
    return error?.problems.map(\.description) ?? []
}

@Suite struct ClientAuthenticationConfigurationTests {
    @Test(arguments: ProviderSettings.ClientAuthentication.allCases.filter { $0 != .privateKeyJWT && $0 != .publicClient })
    func secretMethodsAreRead(_ method: ProviderSettings.ClientAuthentication) throws {
        let provider = try load("    client_secret: s3cret\n    token_endpoint_auth_method: \(method.rawValue)\n").settings.providers[0]
        #expect(provider.clientAuthentication == method)
    }

    @Test func aSecretMethodNeedsTheSecret() {
        #expect(problems("    token_endpoint_auth_method: client_secret_jwt\n").contains { $0.hasPrefix("providers[0].client_secret:") })
    }

    @Test func aPublicClientNeedsNoSecret() throws {
        let provider = try load("    token_endpoint_auth_method: none\n").settings.providers[0]
        #expect(provider.clientAuthentication == .publicClient)
        #expect(provider.clientSecret.isEmpty)
    }

    @Test func withoutCredentialsTheErrorSaysWhatWouldDo() {
        let found = problems("")
        #expect(found.contains { $0.contains("client_private_key_file") && $0.contains("none") }, "\(found)")
    }

    @Test func anUnknownMethodIsNamed() {
        #expect(problems("    client_secret: s\n    token_endpoint_auth_method: tls_client_auth\n")
            .contains { $0.hasPrefix("providers[0].token_endpoint_auth_method:") })
    }

    @Test func privateKeyJWTReadsTheKeyFile() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("client.pem", Array(testKeyPEM.utf8))
        let provider = try load("    token_endpoint_auth_method: private_key_jwt\n    client_private_key_file: client.pem\n",
                                baseDirectory: directory.url.path).settings.providers[0]
        let key = try #require(provider.clientSigningKey)
        #expect(key.algorithm == .es256)
        #expect(provider.clientAuthentication == .privateKeyJWT)
        #expect(provider.clientSecret.isEmpty)
    }

    @Test func aKeyAloneMeansPrivateKeyJWT() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("client.pem", Array(testKeyPEM.utf8))
        let provider = try load("    client_private_key_file: \(path)\n").settings.providers[0]
        #expect(provider.clientAuthentication == nil)
        #expect(provider.clientAuthentication(advertised: nil) == .privateKeyJWT)
    }

    @Test func keyProblemsNameTheFileNeverItsContent() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("public.pem", Array("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n".utf8))
        let found = problems("    token_endpoint_auth_method: private_key_jwt\n    client_private_key_file: \(path)\n")
        #expect(found.contains { $0.hasPrefix("providers[0].client_private_key_file:") && $0.contains(path) }, "\(found)")
        let missing = problems("    token_endpoint_auth_method: private_key_jwt\n    client_private_key_file: /nonexistent/key.pem\n")
        #expect(missing.contains { $0.contains("cannot read /nonexistent/key.pem") }, "\(missing)")
        _ = try directory.write("ec.pem", Array(testKeyPEM.utf8))
        let mismatched = problems("    token_endpoint_auth_method: private_key_jwt\n    client_private_key_file: ec.pem\n    token_endpoint_auth_signing_alg: RS256\n")
        #expect(mismatched.contains { $0.hasPrefix("providers[0].client_private_key_file:") }, "\(mismatched)")
        #expect(!mismatched.joined().contains("MHcCAQEE"))
    }

    @Test func privateKeyJWTNeedsAKeyFile() {
        #expect(problems("    token_endpoint_auth_method: private_key_jwt\n").contains { $0.hasPrefix("providers[0].client_private_key_file:") })
    }

    @Test func theHMACAlgorithmOfClientSecretJWTCanBeChosen() throws {
        let provider = try load("    client_secret: s3cret\n    token_endpoint_auth_method: client_secret_jwt\n    token_endpoint_auth_signing_alg: HS512\n").settings.providers[0]
        #expect(provider.clientSecretAssertionAlgorithm == .hs512)
        #expect(problems("    client_secret: s3cret\n    token_endpoint_auth_method: client_secret_jwt\n    token_endpoint_auth_signing_alg: RS256\n")
            .contains { $0.hasPrefix("providers[0].token_endpoint_auth_signing_alg:") })
    }

    @Test func anAssertionAlgorithmWithoutAnAssertionMethodIsNamed() {
        #expect(problems("    client_secret: s3cret\n    token_endpoint_auth_method: client_secret_post\n    token_endpoint_auth_signing_alg: HS256\n")
            .contains { $0.hasPrefix("providers[0].token_endpoint_auth_signing_alg:") && $0.contains("client_secret_post") })
    }

    @Test func noneInTheIDTokenAlgorithmsIsAnOptInThatWarns() throws {
        let service = try load("    client_secret: s3cret\n    id_token_signing_algs: [RS256, none]\n")
        let provider = service.settings.providers[0]
        #expect(provider.acceptsUnsignedIDTokens)
        #expect(provider.allowedAlgorithms == [.rs256])
        #expect(ConfigurationWarnings.of(service).count == 1)
        #expect(ConfigurationWarnings.of(service)[0].contains("https"))
        let signedOnly = try load("    client_secret: s3cret\n    id_token_signing_algs: [RS256]\n")
        #expect(!signedOnly.settings.providers[0].acceptsUnsignedIDTokens)
        #expect(ConfigurationWarnings.of(signedOnly).isEmpty)
    }

    @Test func staticMetadataHasEveryEndpoint() throws {
        let provider = try load("""
            client_secret: s3cret
            metadata:
              authorization_endpoint: https://idp.example.com/authorize
              token_endpoint: https://idp.example.com/token
              jwks_uri: https://idp.example.com/jwks
              introspection_endpoint: https://idp.example.com/introspect
              revocation_endpoint: https://idp.example.com/revoke
              registration_endpoint: https://idp.example.com/register
              token_endpoint_auth_methods_supported: [private_key_jwt, client_secret_jwt]

        """).settings.providers[0]
        let metadata = try #require(provider.staticMetadata)
        #expect(metadata.introspectionEndpoint == "https://idp.example.com/introspect")
        #expect(metadata.revocationEndpoint == "https://idp.example.com/revoke")
        #expect(metadata.registrationEndpoint == "https://idp.example.com/register")
        #expect(metadata.tokenEndpointAuthMethods == ["private_key_jwt", "client_secret_jwt"])
        #expect(provider.clientAuthentication(advertised: metadata.tokenEndpointAuthMethods) == .clientSecretJWT)
    }
}
