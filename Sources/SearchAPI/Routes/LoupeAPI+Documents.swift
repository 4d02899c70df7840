import HTTPTypes
import Hummingbird
import NIOCore
import SearchCore

extension LoupeAPI {
    /// `POST .../documents`: a JSON array or NDJSON. Good documents are written even when others are
    /// refused; the response lists each refusal by position. If none could be written, 422.
    func writeDocuments(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        _ = try context.require(.write, on: name)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let body = try await request.body.collect(upTo: configuration.maximumBodyBytes)
        let batch: DocumentBatch
        do {
            batch = try DocumentBatch.parse(Array(body.readableBytesView), limits: configuration.documentLimits)
        } catch {
            let status: HTTPResponse.Status = if case .tooManyDocuments = error { .contentTooLarge } else { .badRequest }
            throw APIError(status, code: status == .badRequest ? "invalid_json" : "payload_too_large", message: error.description)
        }
        let result = try await engineCall { try await engine.upsert(batch.entries.map(\.document), into: name) }
        // The engine numbers its problems by position in what it was given; restate them by request position.
        let engineProblems = result.problems.map { problem in
            let entry = batch.entries[problem.index]
            var restated = problem
            restated.index = entry.index
            restated.line = entry.line
            return restated
        }
        let problems = (batch.problems + engineProblems).sorted { $0.index < $1.index }
        if result.written == 0, !problems.isEmpty {
            throw APIError(
                .unprocessableContent, code: "invalid_documents",
                message: problems.count == 1 ? "the document was refused: \(problems[0].reason)" : "none of the \(batch.count) documents could be written",
                details: Array(problems.prefix(1_000)))
        }
        return JSONBody.response(.object([
            "received": .number(String(batch.count)),
            "written": .number(String(result.written)),
            "failed": .number(String(problems.count)),
            "errors": .array(problems.prefix(1_000).map(\.jsonValue)),
        ]))
    }

    func getDocument(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        let id = try context.parameters.require("id")
        _ = try context.require(.search, on: name)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let stored = try await engineCall { try await engine.document(id: id, in: name) }
        return JSONBody.response(.object(["id": .string(stored.id), "document": DocumentWire.parseStored(stored.json)]))
    }

    func deleteDocument(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        let id = try context.parameters.require("id")
        _ = try context.require(.write, on: name)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        try await engineCall { try await engine.deleteDocument(id: id, from: name) }
        return JSONBody.response(.object(["id": .string(id), "deleted": .bool(true)]))
    }
}
