import PostgresClient
import LoupeTestSupport
import Hummingbird
import HummingbirdTesting
import Foundation
import SearchAPI
import Testing

@Suite struct OpenAPITests {
    static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/SearchAPI/openapi.yaml").path

    /// `METHOD /path` for every operation in the spec (paths are two-space keys, methods four-space keys).
    static func specOperations() throws -> Set<String> {
        let text = try String(contentsOfFile: specPath, encoding: .utf8)
        var operations = Set<String>()
        var path: String?
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if ["get", "post", "put", "patch", "delete"].contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func everyRouteIsInTheSpecAndEveryOperationIsARoute() throws {
        let routes = Set(LoupeAPI.routes.map { "\($0.method.rawValue) \($0.path)" })
        let spec = try Self.specOperations()
        #expect(routes.count == LoupeAPI.routes.count, "a route is registered twice")
        #expect(routes.subtracting(spec).sorted() == [], "routes missing from openapi.yaml")
        #expect(spec.subtracting(routes).sorted() == [], "operations in openapi.yaml with no route")
        #expect(spec.count >= 16)
    }
}
