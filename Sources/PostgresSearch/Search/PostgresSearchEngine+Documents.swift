import PostgresClient
public import SearchCore

extension PostgresSearchEngine {
    /// Documents per statement: one statement is all-or-nothing, and the statistics triggers run once per
    /// statement, so larger batches amortise them.
    static let upsertBatchSize = 500

    public func upsert(_ documents: [SourceDocument], into collection: String) async throws(SearchError) -> DocumentWriteResult {
        do {
            let stored = try await existing(collection)
            var result = DocumentWriteResult(written: 0, problems: [])
            var start = 0
            while start < documents.count {
                let end = min(start + Self.upsertBatchSize, documents.count)
                try await write(documents, start..<end, into: stored, result: &result)
                start = end
            }
            result.problems.sort { $0.index < $1.index }
            return result
        } catch {
            throw .from(error, doing: "writing documents")
        }
    }

    /// Writes a range in one statement. When the database refuses a document (a vector over PostgreSQL's
    /// limits, say), halves the range until the culprit stands alone, so its neighbours still land. A statement
    /// that loses a deadlock (with a transaction that holds documents and waits for one this statement holds)
    /// is run again: it is all or nothing, so nothing was written.
    private func write(
        _ documents: [SourceDocument], _ range: Range<Int>, into collection: StoredCollection, result: inout DocumentWriteResult
    ) async throws {
        let rows = documents[range].map { ($0.id, $0.json) }
        do {
            result.written += try await retryingLostRaces { try await collections.upsert(rows, into: collection) }.value
        } catch let error as PostgresError where Self.isDocumentError(error) {
            guard range.count > 1 else {
                let document = documents[range.lowerBound]
                let code: DocumentProblem.Code = error.code?.errorClass == "54" ? .vectorTooLarge : .invalidJSON
                result.problems.append(DocumentProblem(
                    index: range.lowerBound, id: document.id, code: code, reason: DocumentProblem.describe(code)))
                return
            }
            let middle = range.lowerBound + range.count / 2
            try await write(documents, range.lowerBound..<middle, into: collection, result: &result)
            try await write(documents, middle..<range.upperBound, into: collection, result: &result)
        }
    }

    /// Errors caused by a document's content rather than by the database or the request as a whole.
    static func isDocumentError(_ error: PostgresError) -> Bool {
        guard let errorClass = error.code?.errorClass else { return false }
        return errorClass == "22" || errorClass == "54"
    }

    public func document(id: String, in collection: String) async throws(SearchError) -> StoredDocument {
        do {
            let stored = try await existing(collection)
            let rows = try await pool.query("""
                SELECT document::text AS body FROM documents
                WHERE collection_id = \(stored.id) AND external_id = \(id) AND deleted_at IS NULL
                """)
            guard let row = rows.first else { throw SearchError.documentNotFound(id) }
            return StoredDocument(id: id, json: try row.decode(String.self, column: "body"))
        } catch {
            throw .from(error, doing: "reading the document")
        }
    }

    public func deleteDocument(id: String, from collection: String) async throws(SearchError) {
        do {
            guard try await collections.delete(id, from: try await existing(collection)) else {
                throw SearchError.documentNotFound(id)
            }
        } catch {
            throw .from(error, doing: "deleting the document")
        }
    }
}
