import PostgresClient
import LoupeTestSupport
import Hummingbird
import HummingbirdTesting
import Foundation
import HTTPTypes
import PostgresSearch
import SearchAPI
import SearchCore
import Testing

@Suite struct OperationsTests {
    @Test func metricsCountRequestsPerRouteAndStatus() async throws {
        try await APIFixture.with { _, client in
            try await client.createArticles([article("1", title: "metrics", body: "count")])
            _ = try await client.send(.get, "/v1/collections/articles/search?q=metrics")
            _ = try await client.send(.get, "/v1/collections/nope", key: "wrong-key-wrong-key")
            let metrics = try await client.send(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"loupe_http_requests_total{method="GET",route="/v1/collections/{collection}/search",status="200"} 1"#))
            #expect(metrics.text.contains(#"status="401""#))
            #expect(metrics.text.contains("loupe_http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains(#"loupe_search_duration_seconds_count{engine="postgres"} 1"#))
            // No query text and no key in the exposition.
            #expect(!metrics.text.contains("wrong-key"))
            #expect(!metrics.text.contains("q=metrics"))
        }
    }

    @Test(arguments: TestEngine.allCases) func unknownRoutesAndMethodsUseTheErrorShape(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            let missing = try await client.send(.get, "/v2/anything")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
        }
    }

    @Test func readinessIs503WhenTheDatabaseIsGone() async throws {
        try await APIFixture.with { fixture, client in
            #expect(try await client.send(.get, "/ready", key: nil).status == .ok)
            await fixture.schema.pool.shutdown()
            let down = try await client.send(.get, "/ready", key: nil)
            #expect(down.status == .serviceUnavailable)
            #expect(down.errorCode == "unavailable")
            #expect(try await client.send(.get, "/health", key: nil).status == .ok)
        }
    }
}
