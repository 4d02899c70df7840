import Foundation
import FoundationNetworking
import Hummingbird
import Logging
import SearchAPI
import SearchCore

/// Times queries through Loupe's HTTP API: the real application (routing, key check, JSON) served in this
/// process on a free local port, called over a socket.
enum HTTPProbe {
    struct Result {
        var medians: [Double]
        var errors: Int
    }

    static func time(
        engine: any SearchEngine, queries: [BenchmarkQuery], rounds: Int, request: (BenchmarkQuery) -> SearchRequest
    ) async throws -> Result {
        let key = APIKeySecret.generate()
        let record = APIKeyRecord(id: UUID(), name: "bench", prefix: key.displayPrefix, scopes: [.search], collection: nil,
                                  expiresAt: nil, createdAt: Date())
        let api = LoupeAPI(engine: engine, keys: InMemoryAPIKeyStore { _ in true },
                           configuration: APIConfiguration(rateLimit: nil), processKeys: [key.hash: record])
        var logger = Logger(label: "loupe-bench")
        // Cancelling the server task at the end is how it stops; its shutdown complaints are not results.
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let application = api.buildApplication(host: "127.0.0.1", port: 0, logger: logger) { port in
            portSink.yield(port)
            portSink.finish()
        }
        let server = Task { try await application.runService() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkError("the HTTP server did not start") }

        let session = URLSession(configuration: .ephemeral)
        let urls = try queries.map { query in try url(for: request(query), port: port) }
        var times = Array(repeating: [Double](), count: queries.count)
        var errors = 0
        for round in 0...rounds {
            for (index, url) in urls.enumerated() {
                var call = URLRequest(url: url)
                call.setValue("Bearer \(key.reveal)", forHTTPHeaderField: "Authorization")
                let start = ContinuousClock.now
                let status = ((try? await session.data(for: call))?.1 as? HTTPURLResponse)?.statusCode
                guard round > 0 else { continue }
                if status == 200 {
                    times[index].append((ContinuousClock.now - start) / .milliseconds(1))
                } else {
                    errors += 1
                }
            }
        }
        return Result(medians: times.map { LatencySummary.median($0) ?? .infinity }, errors: errors)
    }

    static func url(for request: SearchRequest, port: Int) throws -> URL {
        var components = URLComponents()
        components.scheme = "http"
        components.host = "127.0.0.1"
        components.port = port
        components.path = "/v1/collections/\(request.collection)/search"
        components.queryItems = [
            URLQueryItem(name: "q", value: request.query),
            URLQueryItem(name: "limit", value: "\(request.limit)"),
            URLQueryItem(name: "match", value: request.match.rawValue),
            URLQueryItem(name: "highlight", value: (request.highlight?.fields ?? []).joined(separator: ",")),
        ]
        // `+` means a space in a query string; URLComponents leaves it bare.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else { throw BenchmarkError("cannot build a URL for \(request.query)") }
        return url
    }
}
