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
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
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
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Relevance",
            dependencies: ["SearchCore"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "loupe",
            dependencies: [
                "SearchCore",
                "PostgresClient",
                "PostgresSearch",
                "SearchAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmark programs: they measure and report, never pass or fail.
        .target(
            name: "BenchSupport",
            path: "bench/support",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BenchRelevance",
            dependencies: ["BenchSupport", "PostgresClient", "PostgresSearch", "Relevance", "SearchCore"],
            path: "bench/relevance",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BenchScale",
            dependencies: ["BenchSupport", "PostgresClient", "PostgresSearch", "SearchCore"],
            path: "bench/scale",
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
            name: "SearchCoreTests",
            dependencies: ["SearchCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresSearchTests",
            dependencies: ["PostgresSearch", "PostgresClient", "SearchCore", "LoupeTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InvertedIndexTests",
            dependencies: ["InvertedIndex"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SearchAPITests",
            dependencies: ["SearchAPI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RelevanceTests",
            dependencies: ["Relevance"],
            swiftSettings: swiftSettings
        ),
    ]
)
