// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks of the auth check's hot path, in process: no web server,
// no memcached, no provider. A package of its own so the product's build and
// tests never depend on the benchmark library. Run with `./run` (README.md).
let package = Package(
    name: "oidc-fcgi-micro-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "oidc-fcgi", path: "../.."),
        // The malloc interposer gives the malloc counts; the default
        // runtime-interposer trait is left off.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The version the root package resolves; for the context's Logger.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "HotPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RelyingParty", package: "oidc-fcgi"),
                .product(name: "JOSE", package: "oidc-fcgi"),
                .product(name: "FastCGIServer", package: "oidc-fcgi"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/HotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
