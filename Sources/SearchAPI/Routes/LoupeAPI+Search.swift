import HTTPTypes
import Hummingbird
import SearchCore

extension LoupeAPI {
    func searchByQueryString(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        _ = try context.require(.search, on: name)
        return try await search(SearchParameters.fromQueryString(QueryString(request.uri.query), collection: name))
    }

    func searchByBody(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        _ = try context.require(.search, on: name)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let body = try await JSONBody.object(from: request, limit: 1 << 20)
        return try await search(SearchParameters.fromBody(body, collection: name))
    }

    private func search(_ searchRequest: SearchRequest) async throws -> Response {
        let started = ContinuousClock.now
        let page = try await engineCall { try await engine.search(searchRequest) }
        let elapsed = ContinuousClock.now - started
        metrics.recordSearch(engine: engine.name, duration: elapsed)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return JSONBody.response(SearchPageWire.json(page, tookMilliseconds: milliseconds))
    }
}
