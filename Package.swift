// swift-tools-version:6.1
import PackageDescription

// One list of strict settings for every target.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "loupe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loupe", targets: ["loupe"]),
        .library(name: "SearchCore", targets: ["SearchCore"]),
        .library(name: "PostgresClient", targets: ["PostgresClient"]),
        .library(name: "PostgresSearch", targets: ["PostgresSearch"]),
        .library(name: "InvertedIndex", targets: ["InvertedIndex"]),
        .library(name: "SearchAPI", targets: ["SearchAPI"]),
        .library(name: "Relevance", targets: ["Relevance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Reading document files: JSONL/NDJSON, JSON arrays and CSV, plain or gzip, streamed.
        .target(
            name: "DocumentSources",
            dependencies: ["SearchCore", "CZlib"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresClient",
            dependencies: ["CLibPQ"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SearchCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresSearch",
            dependencies: [
                "SearchCore",
                "PostgresClient",
                "DocumentSources",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "InvertedIndex",
            dependencies: ["SearchCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SearchAPI",
            dependencies: [
                "SearchCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["openapi.yaml"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Relevance",
            dependencies: ["SearchCore"],
            swiftSettings: swiftSettings
        ),
        // `loupe bench`: relevance on judged collections and speed at several scales, beside plain PostgreSQL.
        .target(
            name: "Benchmarks",
            dependencies: [
                "SearchCore", "Relevance", "PostgresClient", "PostgresSearch", "InvertedIndex", "DocumentSources", "SearchAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "loupe",
            dependencies: [
                "Benchmarks",
                "Relevance",
                "SearchCore",
                "PostgresClient",
                "PostgresSearch",
                "SearchAPI",
                "InvertedIndex",
                "DocumentSources",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmark programs: they measure and report, never pass or fail.
        .target(
            name: "BenchSupport",
            dependencies: ["Benchmarks"],
            path: "bench/support",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BenchScale",
            dependencies: ["BenchSupport", "Benchmarks", "PostgresClient", "PostgresSearch", "SearchCore"],
            path: "bench/scale",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BenchMemory",
            dependencies: ["BenchSupport", "Benchmarks", "InvertedIndex", "SearchCore", "Relevance"],
            path: "bench/memory",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BenchImport",
            dependencies: ["BenchSupport", "DocumentSources", "PostgresClient", "PostgresSearch", "SearchCore"],
            path: "bench/import",
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets that need a real PostgreSQL: one schema per test.
        .target(
            name: "LoupeTestSupport",
            dependencies: ["PostgresClient"],
            path: "Tests/LoupeTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "LoupeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocumentSourcesTests",
            dependencies: ["DocumentSources", "SearchCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SearchCoreTests",
            dependencies: ["SearchCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresSearchTests",
            dependencies: ["PostgresSearch", "PostgresClient", "SearchCore", "DocumentSources", "LoupeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InvertedIndexTests",
            dependencies: ["InvertedIndex", "SearchCore", "DocumentSources", "PostgresClient", "LoupeTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SearchAPITests",
            dependencies: [
                "SearchAPI", "SearchCore", "PostgresSearch", "PostgresClient", "InvertedIndex", "LoupeTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BenchmarksTests",
            dependencies: ["Benchmarks", "Relevance", "PostgresSearch", "SearchCore", "LoupeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RelevanceTests",
            dependencies: ["Relevance"],
            swiftSettings: swiftSettings
        ),
    ]
)
