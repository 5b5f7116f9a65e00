import Configuration
import Foundation
import RelyingParty
import Testing

private let header = """
public_url: https://app.example.com
session:
  secrets: ["0123456789abcdef0123456789abcdef-first"]
providers:
  - name: corp
    issuer: https://idp.example.com

"""

private func problems(_ lines: String, baseDirectory: String) -> [String] {
    let error = configurationError { () throws(ConfigurationError) in
        try ConfigurationLoader.parse(yaml: header + lines, baseDirectory: baseDirectory)
    }
    return error?.problems.map(\.description) ?? []
}

/// `providers[].registration`: dynamic client registration instead of a client_id.
@Suite final class RegistrationConfigurationTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "oidc-fcgi-registration-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        try "initial-token\n".write(toFile: directory + "/iat", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    @Test func everyKeyIsRead() throws {
        let service = try ConfigurationLoader.parse(yaml: header + """
            registration:
              client_name: Reports
              contacts: [ops@example.com]
              token_endpoint_auth_method: client_secret_post
              id_token_signed_response_alg: ES256
              initial_access_token_file: iat
              state_dir: state

        """, baseDirectory: directory)
        let registration = try #require(service.settings.providers[0].registration)
        #expect(registration == ClientRegistrationSettings(clientName: "Reports", contacts: ["ops@example.com"], tokenEndpointAuthMethod: .clientSecretPost,
                                                           idTokenSignedResponseAlgorithm: .es256, initialAccessToken: "initial-token",
                                                           stateDirectory: directory + "/state"))
        #expect(service.settings.providers[0].clientID.isEmpty)
    }

    @Test func aConfiguredClientAndRegistrationDoNotMix() {
        let found = problems("    client_id: app\n    client_secret: s\n    registration:\n      state_dir: state\n", baseDirectory: directory)
        #expect(found.contains { $0.hasPrefix("providers[0].client_id: set either client_id or registration") })
        #expect(found.contains { $0.hasPrefix("providers[0].client_secret: is not used with registration") })
    }

    @Test func theStateDirectoryMustExistAndItsFileMustBeUsable() throws {
        #expect(problems("    registration: {}\n", baseDirectory: directory).contains("providers[0].registration.state_dir: is required"))
        #expect(problems("    registration:\n      state_dir: missing\n", baseDirectory: directory)
            .contains { $0.hasPrefix("providers[0].registration.state_dir: \(directory)/missing is not a directory") })
        try "not json".write(toFile: directory + "/state/corp.json", atomically: true, encoding: .utf8)
        #expect(problems("    registration:\n      state_dir: state\n", baseDirectory: directory)
            == ["providers[0].registration.state_dir: the registered client file \(directory)/state/corp.json is corrupt (not valid JSON); fix or remove it (removing it registers a new client)"])
    }

    @Test func onlySecretMethodsAndAsymmetricAlgorithmsAreAsked() {
        let found = problems("    registration:\n      state_dir: state\n      token_endpoint_auth_method: private_key_jwt\n      id_token_signed_response_alg: HS256\n",
                             baseDirectory: directory)
        #expect(found.contains { $0.hasPrefix("providers[0].registration.token_endpoint_auth_method: must be client_secret_basic or client_secret_post") })
        #expect(found.contains { $0.hasPrefix("providers[0].registration.id_token_signed_response_alg: must be an asymmetric algorithm") })
    }
}
