import Foundation
import LoupeTestSupport
import PostgresClient
@testable import PostgresSearch
import SearchCore
import Synchronization
import Testing

/// An ImpactRefresh's result, once it has one.
final class Outcome: Sendable {
    private let result = Mutex<Bool?>(nil)
    var value: Bool? { result.withLock { $0 } }
    func set(_ moved: Bool) { result.withLock { $0 = moved } }
}

/// The statistics trigger's locks (migration 0012): writers rewrite postings before they lock the statistics
/// rows, holding the collection's reference-length lock shared, and whatever changes that length takes it
/// exclusively, so it waits for them.
@Suite struct StatisticsLockTests {
    static func json(_ id: String, title: String, body: String) -> String {
        "{\"id\":\"\(id)\",\"title\":\"\(title)\",\"body\":\"\(body)\"}"
    }

    /// Runs `body` in a transaction on its own connection after the document `id` got a new body that has
    /// other words but the same number of each, so the statement's counts and class lengths do not change: the
    /// trigger takes no row lock on the statistics row, only the shared lock that guards the reference length.
    static func withOpenRewrite(
        _ fixture: ImportFixture, _ collection: StoredCollection, id: String, body newBody: String,
        _ body: @Sendable () async throws -> Void
    ) async throws {
        let pool = fixture.schema.makePool(maximumConnections: 1)
        defer { Task { await pool.shutdown() } }
        try await pool.withTransaction { connection in
            let changed = try await connection.query("""
                UPDATE documents SET document = jsonb_set(document, '{body}', to_jsonb(\(newBody)::text))
                WHERE collection_id = \(collection.id) AND external_id = \(id)
                """).affectedRows
            try #require(changed == 1)
            try await body()
        }
    }

    /// A collection `name` holding documents doc-00 … doc-25; returns it and their ids in order.
    static func collectionOf26(_ fixture: ImportFixture, _ name: String) async throws -> (StoredCollection, [String]) {
        let collection = try await fixture.collection(name)
        let ids = (0..<26).map { String(format: "doc-%02d", $0) }
        _ = try await fixture.store.upsert(ids.map { ($0, json($0, title: "first", body: "amber")) }, into: collection)
        return (collection, ids)
    }

    @Test func aReferenceLengthChangeWaitsForTheWriterThatReadTheOldOne() async throws {
        try await ImportFixture.with { fixture in
            let collection = try await fixture.collection("locks")
            try await ImpactRefreshTests.load(fixture, collection, 300)
            _ = try await fixture.store.upsert([("swap", Self.json("swap", title: "kestrel", body: "amber cobalt"))], into: collection)
            let pool = fixture.schema.pool
            // A reference length off the live average, so ImpactRefresh has to move it.
            try await pool.query("""
                UPDATE collection_statistics SET reference_length = reference_length * 1.25 WHERE collection_id = \(collection.id)
                """)
            let refreshed = Outcome()
            try await Self.withOpenRewrite(fixture, collection, id: "swap", body: "violet zircon") {
                // The writer is done with its statement and still open: a recount of the length has to wait.
                do {
                    try await pool.withTransaction { connection in
                        try await connection.query("SET LOCAL lock_timeout = '200ms'")
                        try await connection.query("SELECT recount_collection_statistics(\(collection.id))")
                    }
                    Issue.record("the length was recounted while a writer that read the old one was open")
                } catch let error as PostgresError {
                    #expect(error.code == .lockNotAvailable, "\(error)")
                }
                // ImpactRefresh waits for the writer's commit instead of moving the length under it.
                Task {
                    let moved = try await ImpactRefresh(pool: pool, collection: collection.id).run()
                    refreshed.set(moved)
                }
                try await Task.sleep(for: .milliseconds(500))
                #expect(refreshed.value == nil, "the length moved while a writer that read the old one was open")
            }
            for _ in 0..<200 where refreshed.value == nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(refreshed.value == true)
            // The writer's postings were rewritten with the new length, like everyone else's.
            #expect(try await fixture.statisticsProblems(collection) == [])
            #expect(try await fixture.engine.search(SearchRequest(collection: "locks", query: "zircon")).hits.map(\.id) == ["swap"])
        }
    }

    @Test func impactRefreshSkipsADocumentAWriterHoldsAndRefreshesItOnceFree() async throws {
        try await ImportFixture.with { fixture in
            let collection = try await fixture.collection("held")
            try await ImpactRefreshTests.load(fixture, collection, 300)
            let pool = fixture.schema.pool
            // A length ImpactRefresh has to move back, and impacts that no length gives, so that every document
            // still holding them shows.
            try await pool.query("""
                UPDATE collection_statistics SET reference_length = reference_length * 1.25 WHERE collection_id = \(collection.id)
                """)
            try await pool.query("UPDATE postings SET impact = impact / 2 WHERE collection_id = \(collection.id)")
            let refreshed = Outcome()
            let holder = fixture.schema.makePool(maximumConnections: 1)
            defer { Task { await holder.shutdown() } }
            // A row lock on one document, as a writer holds until it commits (without its statement's other locks).
            try await holder.withTransaction { connection in
                try await connection.query("""
                    SELECT 1 FROM documents WHERE collection_id = \(collection.id) AND external_id = 'doc-000123' FOR UPDATE
                    """)
                Task {
                    let moved = try await ImpactRefresh(pool: pool, collection: collection.id).run(batchSize: 50)
                    refreshed.set(moved)
                }
                // Every other document is refreshed meanwhile; the held one waits for its turn at the end.
                var stale = -1
                for _ in 0..<200 where stale != 1 {
                    try await Task.sleep(for: .milliseconds(50))
                    stale = try await pool.query("""
                        SELECT count(DISTINCT d.id) AS n FROM documents AS d
                        JOIN collections AS k ON k.id = d.collection_id
                        JOIN collection_statistics AS s ON s.collection_id = d.collection_id
                        CROSS JOIN LATERAL document_postings(d.search_vector, d.class_lengths, k.bm25_class_weights,
                                                             k.bm25_k1, k.bm25_b, s.reference_length) AS dp
                        JOIN postings AS p ON p.collection_id = d.collection_id AND p.lexeme = dp.lexeme AND p.document_id = d.id
                        WHERE d.collection_id = \(collection.id) AND p.impact <> dp.impact
                        """).single().decode(Int.self, column: "n")
                }
                #expect(stale == 1, "documents with stale impacts while one is held: \(stale)")
                #expect(refreshed.value == nil)
            }
            for _ in 0..<200 where refreshed.value == nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(refreshed.value == true)
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }

    @Test func concurrentWritersAndLengthChangesKeepExactStatistics() async throws {
        try await ImportFixture.with(maximumConnections: 4) { fixture in
            let collection = try await fixture.collection("busy")
            try await ImpactRefreshTests.load(fixture, collection, 400)
            let done = StopFlag()
            // Three writers, each on its own ids (inserts, rewrites with new lengths, deletes), while the
            // collection's length is moved again and again, in batches (ImpactRefresh) and in one statement.
            let writers = (0..<3).map { writer in
                Task { () -> (count: Int, errors: [String]) in
                    let pool = fixture.schema.makePool(maximumConnections: 1)
                    defer { Task { await pool.shutdown() } }
                    let store = CollectionStore(pool: pool)
                    var count = 0, errors: [String] = []
                    while !done.isSet || count < 20 {
                        let documents = ImportFixture.documents(4, from: 1_000 * (writer + 1) + (count * 4) % 200, tag: "w\(count)")
                        do {
                            if count % 5 == 4 {
                                try await store.delete(documents[0].id, from: collection)
                            } else {
                                _ = try await store.upsert(
                                    documents.map { ($0.id, Self.json($0.id, title: $0.title, body: $0.body)) }, into: collection)
                            }
                        } catch {
                            errors.append("\(error)")
                        }
                        count += 1
                    }
                    return (count, errors)
                }
            }
            var moves = 0
            for round in 0..<6 {
                if round % 3 == 2 {
                    try await fixture.schema.pool.query("SELECT refresh_search_impacts(\(collection.id))")
                    moves += 1
                } else {
                    // Off the live average (under the lock, as any length change), so that ImpactRefresh moves it.
                    try await fixture.schema.pool.withTransaction { connection in
                        try await connection.query("SELECT lock_reference_length(\(collection.id))")
                        try await connection.query("""
                            UPDATE collection_statistics SET reference_length = reference_length * 1.01
                            WHERE collection_id = \(collection.id)
                            """)
                    }
                    if try await ImpactRefresh(pool: fixture.schema.pool, collection: collection.id).run(batchSize: 100) {
                        moves += 1
                    }
                }
            }
            done.set()
            for writer in writers {
                let result = await writer.value
                #expect(result.errors.isEmpty, "\(result.errors.prefix(3))")
            }
            #expect(moves == 6)
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }

    /// Two upserts of the same documents, given in opposite orders, while a third transaction holds one in the
    /// middle: each locks its documents up to the held one and waits. Written in the order given, the one that
    /// gets the held document next wants a document the other holds, and the other wants the held one: a
    /// deadlock, and one application write aborted. Upserts write in id order, so the second waits behind
    /// the first instead.
    @Test func upsertsOfTheSameDocumentsInOppositeOrdersDoNotDeadlock() async throws {
        try await ImportFixture.with { fixture in
            let (collection, ids) = try await Self.collectionOf26(fixture, "order")
            let holder = fixture.schema.makePool(maximumConnections: 1)
            let writers = fixture.namedPool("upserts", maximumConnections: 2)
            defer { Task { await holder.shutdown(); await writers.pool.shutdown() } }
            var upserts: [Task<Result<Int, any Error>, Never>] = []
            try await holder.withTransaction { connection in
                try await connection.query("""
                    SELECT 1 FROM documents WHERE collection_id = \(collection.id) AND external_id = 'doc-13' FOR NO KEY UPDATE
                    """)
                for (index, order) in [Array(ids.reversed()), ids].enumerated() {
                    // The second starts once the first is waiting.
                    if index == 1 { try await Task.sleep(for: .milliseconds(300)) }
                    let store = CollectionStore(pool: writers.pool)
                    let documents = order.map { ($0, Self.json($0, title: "second", body: "cobalt \(index)")) }
                    upserts.append(Task {
                        do { return .success(try await store.upsert(documents, into: collection)) } catch { return .failure(error) }
                    })
                }
                // Both wait, on the holder or on the other upsert.
                let waiting = try await fixture.waiting(named: writers.name, atLeast: 2)
                #expect(waiting == 2, "upserts waiting: \(waiting)")
            }
            for upsert in upserts {
                if case .failure(let error) = await upsert.value { Issue.record("an upsert failed: \(error)") }
            }
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }

    /// A bulk publication inserting new documents and an upsert of the same new documents, while a third
    /// transaction has inserted one of them and not committed: both wait for it, each having inserted (and so
    /// holding) the documents before it in its own order. A publication in file order (here descending, staged as
    /// one batch) then deadlocked with the upsert (in id order) once the third committed; in id order, the upsert
    /// waits behind it.
    @Test func aBulkPublicationAndAnUpsertOfTheSameNewDocumentsDoNotDeadlock() async throws {
        try await ImportFixture.with(maximumConnections: 4) { fixture in
            let collection = try await fixture.collection("publish")
            let documents = Array(ImportFixture.documents(26).reversed())
            let path = try ImportFixture.file(try ImportFixture.jsonLines(documents), suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let middle = documents[13].id
            let holder = fixture.schema.makePool(maximumConnections: 1)
            // The importer's sessions (two: a writer, then the publication and its postings) and the upsert's.
            let writers = fixture.namedPool("publication", maximumConnections: 3)
            defer { Task { await holder.shutdown(); await writers.pool.shutdown() } }
            var publication: Task<Result<ImportSummary, any Error>, Never>?
            var upsert: Task<Result<Int, any Error>, Never>?
            try await holder.withTransaction { connection in
                try await connection.query("""
                    INSERT INTO documents (collection_id, external_id, document)
                    VALUES (\(collection.id), \(middle), \(Self.json(middle, title: "held", body: "amber"))::jsonb)
                    """)
                let importer = DocumentImporter(pool: writers.pool, collection: collection)
                publication = Task {
                    do { return .success(try await importer.run(ImportOptions(inputs: [path], mode: .bulk, batchSize: 100, writers: 1))) } catch { return .failure(error) }
                }
                var waiting = try await fixture.waiting(named: writers.name, atLeast: 1)
                #expect(waiting == 1, "the publication never waited for the uncommitted document")
                let store = CollectionStore(pool: writers.pool)
                let bodies = documents.map { ($0.id, Self.json($0.id, title: "upserted", body: "cobalt")) }
                upsert = Task {
                    do { return .success(try await store.upsert(bodies, into: collection)) } catch { return .failure(error) }
                }
                waiting = try await fixture.waiting(named: writers.name, atLeast: 2)
                #expect(waiting == 2, "the upsert never waited")
            }
            if case .failure(let error) = await publication?.value { Issue.record("the publication failed: \(error)") }
            if case .failure(let error) = await upsert?.value { Issue.record("the upsert failed: \(error)") }
            let live = try await fixture.schema.pool.query("""
                SELECT count(*) AS n FROM documents WHERE collection_id = \(collection.id) AND deleted_at IS NULL
                """).single().decode(Int.self, column: "n")
            #expect(live == 26)
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }

    /// An API write that loses a deadlock to a transaction of the application's own (holding one of its
    /// documents, then waiting for another the write holds) is run again once that transaction is through.
    ///
    /// PostgreSQL checks a waiter for a deadlock once, a second after it starts waiting, and aborts the waiter
    /// whose check finds the cycle. So that this is always the write: a third transaction holds document 10
    /// and stops the write there (holding 00–09); the application's transaction, holding 13, then waits for
    /// 05, and its check passes (the write waits for the third, which waits for nobody). Once the third
    /// commits, the write goes on to 13 and closes the cycle: its check finds it.
    @Test func anAPIWriteThatLosesADeadlockRunsAgain() async throws {
        try await ImportFixture.with { fixture in
            let (collection, ids) = try await Self.collectionOf26(fixture, "again")
            // The application's session and the write's share a name; the third's is another pool's.
            let named = fixture.namedPool("again", maximumConnections: 2)
            let third = fixture.schema.makePool(maximumConnections: 1)
            defer { Task { await named.pool.shutdown(); await third.shutdown() } }
            let engine = PostgresSearchEngine(pool: named.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
            let documents = try ids.map { try SourceDocument(try JSONParser.parse(Array(Self.json($0, title: "second", body: "cobalt").utf8))) }
            let lock: @Sendable (PostgresConnection, String) async throws -> Void = { connection, id in
                try await connection.query("""
                    SELECT 1 FROM documents WHERE collection_id = \(collection.id) AND external_id = \(id) FOR NO KEY UPDATE
                    """)
            }
            var write: Task<Result<DocumentWriteResult, any Error>, Never>?
            try await named.pool.withTransaction { application in
                try await lock(application, "doc-13")
                var applicationWaits: Task<Void, any Error>?
                try await third.withTransaction { third in
                    try await lock(third, "doc-10")
                    write = Task {
                        do { return .success(try await engine.upsert(documents, into: "again")) } catch { return .failure(error) }
                    }
                    #expect(try await fixture.waiting(named: named.name, atLeast: 1) == 1, "the write never waited")
                    applicationWaits = Task { try await lock(application, "doc-05") }
                    #expect(try await fixture.waiting(named: named.name, atLeast: 2) == 2, "the application never waited")
                    // The application's one deadlock check is due a second after it started waiting.
                    try await Task.sleep(for: .milliseconds(2_500))
                }
                try await applicationWaits?.value
            }
            switch await write?.value {
            case .success(let result)?: #expect(result.written == 26 && result.problems.isEmpty)
            case .failure(let error)?: Issue.record("the write failed: \(error)")
            case nil: Issue.record("the write never started")
            }
            let second = try await fixture.schema.pool.query("""
                SELECT count(*) AS n FROM documents WHERE collection_id = \(collection.id) AND document ->> 'title' = 'second'
                """).single().decode(Int.self, column: "n")
            #expect(second == 26)
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }
}
