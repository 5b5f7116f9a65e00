import JOSE
import Logging

/// An error from checking a provider-signed token, exposing the signature's
/// part of it, so `RotatingKeyVerifier` can tell a possible key rotation apart.
public protocol SignatureCheckFailure: Error {
    var signatureError: JOSEError? { get }
    /// The failure to report when no cached key verifies and the keys could not be fetched again.
    static func keysUnavailable(_ error: ProviderError) -> Self
}

extension IDTokenError: SignatureCheckFailure {
    public var signatureError: JOSEError? {
        if case .signature(let error) = self { return error }
        return nil
    }
}

/// Checks a token signed with the provider's published keys and, when no cached
/// key verifies it — its `kid` is not in the set, or, without `kid`, none of the
/// keys checks — fetches the key set once more and checks again: providers rotate
/// keys without notice. The refetch is rate-limited by `ProviderDirectory`; HS*
/// tokens (signed with the client secret) never trigger one.
public struct RotatingKeyVerifier: Sendable {
    private let directory: ProviderDirectory
    private let logger: Logger

    public init(directory: ProviderDirectory, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    public func verify<Value, Failure: SignatureCheckFailure>(
        _ token: String, provider: ProviderSettings, snapshot: ProviderDirectory.Snapshot,
        _ check: (JWKSet) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let firstFailure: Failure
        do throws(Failure) {
            return try check(snapshot.keys)
        } catch {
            firstFailure = error
        }
        guard Self.noCachedKeyVerifies(firstFailure.signatureError, token: token) else { throw firstFailure }
        let refreshed: ProviderDirectory.Snapshot?
        do {
            refreshed = try directory.refreshKeys(for: provider, replacing: snapshot)
        } catch {
            // The token may well be good: say the provider is unavailable rather than reject it.
            logger.warning("refetching the provider's signing keys failed", metadata: ["provider": "\(provider.name)", "reason": "\(error)"])
            throw Failure.keysUnavailable(error)
        }
        guard let refreshed else { throw firstFailure }
        return try check(refreshed.keys)
    }

    /// True when the failure may mean the provider signs with a key we have not fetched yet.
    static func noCachedKeyVerifies(_ error: JOSEError?, token: String) -> Bool {
        switch error {
        case .noMatchingKey?, .badSignature?, .keyTypeMismatch?:
            guard let algorithm = JWSVerifier.claimedAlgorithm(ofCompact: token) else { return false }
            return !algorithm.isSymmetric
        default:
            return false
        }
    }
}
