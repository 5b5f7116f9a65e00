// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "oidc-fcgi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "oidc-fcgi", targets: ["oidc-fcgi"]),
        // Libraries for the fuzz targets under fuzz/ (a separate package that depends on this one).
        .library(name: "JOSE", targets: ["JOSE"]),
        .library(name: "RelyingParty", targets: ["RelyingParty"]),
        .library(name: "FastCGIServer", targets: ["FastCGIServer"]),
        .library(name: "Configuration", targets: ["Configuration"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System-library shims: a module map and one header each.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMemcached", pkgConfig: "libmemcached", providers: [.apt(["libmemcached-dev"])]),
        .systemLibrary(name: "CJose", pkgConfig: "cjose", providers: [.apt(["libcjose-dev", "libssl-dev", "libjansson-dev"])]),

        // JOSE and the crypto primitives, over libcjose + OpenSSL. No I/O.
        .target(name: "JOSE", dependencies: ["CJose"]),
        // The protocol and policy core. Talks to the world only through protocols.
        .target(name: "RelyingParty", dependencies: ["JOSE", .product(name: "Logging", package: "swift-log")]),
        // Adapters: each implements a core protocol over one C library.
        .target(name: "FastCGIServer", dependencies: ["CFastCGI", "RelyingParty", .product(name: "Logging", package: "swift-log")]),
        .target(name: "HTTPClient", dependencies: ["CCurl", "RelyingParty"]),
        .target(name: "SessionStore", dependencies: ["CMemcached", "RelyingParty"]),
        // The metrics and health listener: a small plain HTTP/1.1 responder, apart from the FastCGI workers.
        .target(name: "OperationsEndpoint", dependencies: ["FastCGIServer", .product(name: "Logging", package: "swift-log")]),
        // The configuration file: YAML read strictly into typed, validated settings.
        .target(name: "Configuration", dependencies: [
            "RelyingParty", "JOSE", "FastCGIServer", .product(name: "Yams", package: "Yams"),
        ]),
        // The nginx and Apache include files written from a configuration.
        .target(name: "WebServerSnippets", dependencies: ["Configuration", "RelyingParty", "FastCGIServer"]),
        .executableTarget(
            name: "oidc-fcgi",
            dependencies: [
                "RelyingParty", "FastCGIServer", "HTTPClient", "SessionStore", "JOSE", "Configuration", "WebServerSnippets", "OperationsEndpoint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        .testTarget(name: "JOSETests", dependencies: ["JOSE"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RelyingPartyTests", dependencies: ["RelyingParty", "JOSE"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "RelyingParty"]),
        .testTarget(name: "WebServerSnippetsTests", dependencies: ["WebServerSnippets", "Configuration"]),
        .testTarget(name: "FastCGIServerTests", dependencies: ["FastCGIServer"]),
        .testTarget(name: "OperationsEndpointTests", dependencies: ["OperationsEndpoint", "FastCGIServer"]),
        .testTarget(name: "SessionStoreTests", dependencies: ["SessionStore", "RelyingParty"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "RelyingParty"]),
    ],
    swiftLanguageModes: [.v6]
)
