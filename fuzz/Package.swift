// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for every parser that reads outside input. Build and run
// them with scripts/fuzz; each target has its seed corpus in corpus/<target>/.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-cookie-header", [.product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-authorization-header", [.product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-fastcgi-params", [.product(name: "FastCGIServer", package: "oidc-fcgi"), .product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-form-encoding", [.product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-jws-compact", [.product(name: "JOSE", package: "oidc-fcgi")]),
    ("fuzz-id-token", [.product(name: "JOSE", package: "oidc-fcgi"), .product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-jwk-set", [.product(name: "JOSE", package: "oidc-fcgi")]),
    ("fuzz-provider-json", [.product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-session-record", [.product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-login-state", [.product(name: "JOSE", package: "oidc-fcgi"), .product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-return-url", [.product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-claim-rule", [.product(name: "RelyingParty", package: "oidc-fcgi")]),
    ("fuzz-config", [.product(name: "Configuration", package: "oidc-fcgi")]),
    ("fuzz-responder", [.product(name: "RelyingParty", package: "oidc-fcgi"), .product(name: "Logging", package: "swift-log")]),
]

let package = Package(
    name: "oidc-fcgi-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "oidc-fcgi", path: ".."),
        // The version the root package resolves; only for the Responder target's Logger.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver, so each target keeps a Swift main.
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: [
            "CFuzzerDriver",
            .product(name: "RelyingParty", package: "oidc-fcgi"),
        ]),
    ] + fuzzTargets.map { target in
        .executableTarget(name: target.name, dependencies: ["FuzzSupport"] + target.dependencies)
    },
    swiftLanguageModes: [.v6]
)
