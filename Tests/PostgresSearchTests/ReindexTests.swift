import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore
import Synchronization
import Testing

/// Tells the concurrent writer and searcher to stop.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

@Suite struct ReindexTests {
    /// A collection of `count` documents imported, then its field weights swapped (title A→C, body B→A) so
    /// every stored vector is stale.
    static func staleCollection(_ fixture: ImportFixture, count: Int) async throws -> StoredCollection {
        let path = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(count)), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let collection = try await fixture.collection("weights")
        _ = try await DocumentImporter(pool: fixture.schema.pool, collection: collection)
            .run(ImportOptions(inputs: [path], batchSize: 500))
        var changed = collection.definition
        changed.fields = [try SearchableField(name: "title", weight: .c), try SearchableField(name: "body", weight: .a)]
        return try await fixture.store.update(collection, to: changed)
    }

    @Test func aReindexAfterAWeightChangeWhileAWriterAndASearcherRun() async throws {
        try await ImportFixture.with(maximumConnections: 8) { fixture in
            let collection = try await Self.staleCollection(fixture, count: 3_000)
            let reindexer = CollectionReindexer(pool: fixture.schema.pool, collection: collection)
            #expect(try await reindexer.staleVectors().stale == 3_000)

            let done = StopFlag()
            let writerPool = fixture.schema.makePool(maximumConnections: 2)
            let searcherPool = fixture.schema.makePool(maximumConnections: 2)
            async let writes: (count: Int, errors: [String]) = {
                let store = CollectionStore(pool: writerPool)
                var count = 0, errors: [String] = []
                while !done.isSet {
                    // New documents and rewrites of existing ones, across the whole keyset range, one at a time and
                    // several in one statement, in descending id order (the reindex walks ascending).
                    let index = count * 37 % 4_000
                    let documents = ImportFixture.documents(count % 2 == 0 ? 1 : 4, from: index, tag: "rewritten\(count)").reversed()
                    let bodies = documents.map { document in
                        (document.id, "{\"id\":\"\(document.id)\",\"title\":\"\(document.title)\",\"body\":\"\(document.body)\"}")
                    }
                    do {
                        try await store.upsert(bodies, into: collection)
                    } catch {
                        errors.append("\(error)")
                    }
                    count += 1
                }
                return (count, errors)
            }()
            async let searches: (count: Int, errors: [String]) = {
                let engine = PostgresSearchEngine(pool: searcherPool, cursorAuthenticator: HMACCursorAuthenticator.random())
                var count = 0, errors: [String] = []
                let queries = ["quartz meadow", "falcon", "lantern OR cipher", "\"harbour lantern\"", "number12"]
                while !done.isSet {
                    do {
                        let page = try await engine.search(SearchRequest(collection: "weights", query: queries[count % queries.count]))
                        if page.hits.isEmpty { errors.append("no hits for \(queries[count % queries.count])") }
                    } catch {
                        errors.append("\(error)")
                    }
                    count += 1
                }
                return (count, errors)
            }()
            let summary = try await reindexer.run(ReindexOptions(batchSize: 100, throttle: .pause(.milliseconds(5)), cleanPendingListEvery: 1_000))
            done.set()
            let (writer, searcher) = await (writes, searches)
            await writerPool.shutdown()
            await searcherPool.shutdown()

            #expect(writer.errors.isEmpty, "\(writer.errors.prefix(3))")
            #expect(searcher.errors.isEmpty, "\(searcher.errors.prefix(3))")
            #expect(writer.count > 10 && searcher.count > 10, "writes \(writer.count), searches \(searcher.count)")
            #expect(summary.documents >= 3_000 && summary.rewritten >= 1)
            #expect(summary.pendingPagesCleaned >= 0)
            #expect(try await reindexer.staleVectors().stale == 0)
            #expect(try await fixture.statisticsProblems(collection) == [])
            // Body words now weigh A and title words C; nothing is left in B.
            let weights = try await fixture.schema.pool.query("""
                SELECT count(*) FILTER (WHERE search_vector::text LIKE '%A%' AND search_vector::text LIKE '%C%'
                                          AND search_vector::text NOT LIKE '%B%') AS swapped, count(*) AS n
                FROM documents WHERE collection_id = \(collection.id) AND deleted_at IS NULL
                """).single()
            #expect(try weights.decode(Int.self, column: "swapped") == weights.decode(Int.self, column: "n"))
        }
    }

    @Test func verifyAndDryRunCountStaleVectorsAndChangeNothing() async throws {
        try await ImportFixture.with { fixture in
            let collection = try await Self.staleCollection(fixture, count: 400)
            let reindexer = CollectionReindexer(pool: fixture.schema.pool, collection: collection)
            let fingerprint: PostgresQuery = """
                SELECT md5(string_agg(search_vector::text || updated_at::text, '|' ORDER BY external_id)) AS f
                FROM documents WHERE collection_id = \(collection.id)
                """
            let before = try await fixture.schema.pool.query(fingerprint).single().decode(String.self, column: "f")
            let report = try await reindexer.staleVectors(batchSize: 64, examples: 3)
            #expect(report.documents == 400 && report.stale == 400)
            #expect(report.examples == ["doc-000000", "doc-000001", "doc-000002"])
            #expect(try await fixture.schema.pool.query(fingerprint).single().decode(String.self, column: "f") == before)

            // Only some stale: a document rewritten by the app after the change is fresh already.
            try await fixture.store.upsert([("doc-000005", "{\"id\":\"doc-000005\",\"title\":\"fresh\"}")], into: collection)
            #expect(try await reindexer.staleVectors().stale == 399)
            _ = try await reindexer.run(ReindexOptions(batchSize: 150))
            #expect(try await reindexer.staleVectors().stale == 0)
        }
    }

    @Test func anInterruptedReindexResumesFromItsCheckpoint() async throws {
        try await ImportFixture.with { fixture in
            let collection = try await Self.staleCollection(fixture, count: 1_000)
            let reindexer = CollectionReindexer(pool: fixture.schema.pool, collection: collection)
            let slow = Task { try await reindexer.run(ReindexOptions(batchSize: 50, throttle: .pause(.milliseconds(100)))) }
            var position: String?
            for _ in 0..<200 where position == nil || position! < "doc-000300" {
                try await Task.sleep(for: .milliseconds(50))
                position = try await fixture.schema.pool.query(
                    "SELECT max(position) AS p FROM collection_jobs WHERE kind = 'reindex'").single().decode(String?.self, column: "p")
            }
            slow.cancel()
            _ = await slow.result
            let remaining = try await reindexer.staleVectors().stale
            #expect(remaining > 0 && remaining < 1_000, "\(remaining) stale after the interruption")
            let resumed = try await reindexer.run(ReindexOptions(batchSize: 200, resume: true))
            #expect(resumed.resumed)
            #expect(resumed.documents < 1_000 && resumed.rewritten == remaining)
            #expect(try await reindexer.staleVectors().stale == 0)
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }

    /// An application statement writing several documents holds the first it locked while it waits for the
    /// next. A batch that locked the others first and then waited for the held one deadlocked with it: one of
    /// the two was aborted. The writer here takes the row lock such a statement holds midway (without the
    /// statistics locks its end takes), then writes the batch's other documents and leaves the held one as it
    /// was, stale, for the batch to rewrite once the writer is gone.
    @Test func aBatchSkipsADocumentAWriterHoldsSoTheWriterNeverDeadlocksWithIt() async throws {
        try await ImportFixture.with(maximumConnections: 4) { fixture in
            let collection = try await Self.staleCollection(fixture, count: 40)
            let reindexing = fixture.namedPool("reindex", maximumConnections: 2)
            let reindexer = CollectionReindexer(pool: reindexing.pool, collection: collection)
            let pool = fixture.schema.pool
            let writer = fixture.schema.makePool(maximumConnections: 1)
            defer { Task { await writer.shutdown(); await reindexing.pool.shutdown() } }
            let rewrite: PostgresQuery = """
                UPDATE documents SET document = jsonb_set(document, '{title}', to_jsonb('rewritten ' || external_id))
                WHERE collection_id = \(collection.id)
                """
            var reindex: Task<ReindexSummary, any Error>?
            try await writer.withTransaction { connection in
                try await connection.query("""
                    SELECT 1 FROM documents WHERE collection_id = \(collection.id) AND external_id = 'doc-000039' FOR NO KEY UPDATE
                    """)
                reindex = Task { try await reindexer.run(ReindexOptions(batchSize: 100, parallelism: 1)) }
                let waiting = try await fixture.waiting(named: reindexing.name, atLeast: 1)
                #expect(waiting == 1, "the reindex never waited for the writer")
                // The batch rewrote every document but the held one and committed; only its final pass waits.
                #expect(try await reindexer.staleVectors().stale == 1)
                try await connection.query("SET LOCAL statement_timeout = '20s'")
                try await connection.query(rewrite + " AND external_id <> 'doc-000039'")
            }
            let summary = try #require(try await reindex?.value)
            #expect(summary.retried == 0, "batches retried after a deadlock with the writer: \(summary.retried)")
            #expect(summary.documents == 40)
            #expect(try await reindexer.staleVectors().stale == 0)
            #expect(try await fixture.statisticsProblems(collection) == [])
            let titles = try await pool.query("""
                SELECT count(*) AS n FROM documents WHERE collection_id = \(collection.id) AND document ->> 'title' LIKE 'rewritten %'
                """).single().decode(Int.self, column: "n")
            #expect(titles == 39)
        }
    }

    /// pgstattuple installed in a schema off the search path (as an administrator may well put it) still gives the
    /// pending lists' sizes; it used to make `loupe reindex` fail with "function pgstatginindex does not exist".
    @Test func pendingListSizesAreReadWhereverPgstattupleIsInstalled() async throws {
        try await ImportFixture.with { fixture in
            let pool = fixture.schema.pool
            let installed = try await pool.query("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple') AS present")
                .single().decode(Bool.self, column: "present")
            if !installed {
                // Once per database, in a schema of its own that no test drops or puts on its path (CREATE EXTENSION
                // needs a superuser, which the test cluster's user is).
                try await pool.query("CREATE SCHEMA IF NOT EXISTS loupe_test_extensions")
                try await pool.query("CREATE EXTENSION IF NOT EXISTS pgstattuple SCHEMA loupe_test_extensions")
            }
            let onPath = try await pool.query("""
                SELECT n.nspname = ANY (current_schemas(false)) AS on_path
                FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgstattuple'
                """).single().decode(Bool.self, column: "on_path")
            #expect(!onPath)
            // An autoanalyze of the table would merge the lists (GIN does so when autovacuum analyzes).
            try await pool.query("ALTER TABLE documents SET (autovacuum_enabled = false)")
            let collection = try await Self.staleCollection(fixture, count: 50)
            let states = try await CollectionReindexer(pool: pool, collection: collection).pendingLists()
            #expect(states.map(\.index) == CollectionReindexer.ginIndexes)
            // The collection's 50 documents went in after the indexes were built: they wait in the lists.
            #expect(states.allSatisfy { ($0.pages ?? 0) > 0 && ($0.tuples ?? 0) > 0 })
        }
    }

    /// A reindex rewrites rows, and every rewritten row goes into every GIN index of `documents`, the attribute index
    /// included; none is left with rows waiting in its pending list, which every search of the index reads.
    @Test func aReindexLeavesNoGINIndexWithPendingRows() async throws {
        try await ImportFixture.with { fixture in
            let pool = fixture.schema.pool
            // An autoanalyze of the table would merge the lists too (GIN does so when autovacuum analyzes).
            try await pool.query("ALTER TABLE documents SET (autovacuum_enabled = false)")
            let collection = try await Self.staleCollection(fixture, count: 300)
            let summary = try await CollectionReindexer(pool: pool, collection: collection).run(ReindexOptions(batchSize: 100))
            #expect(summary.rewritten == 300)
            let pending = try await fixture.mergePendingLists()
            // The fixed list names every GIN index the table has.
            #expect(pending.map(\.index) == CollectionReindexer.ginIndexes)
            for (index, pages) in pending {
                #expect(pages == 0, "\(index)")
            }
        }
    }

    @Test func ginIndexesAreRebuiltConcurrentlyAndPendingListsCleaned() async throws {
        try await ImportFixture.with { fixture in
            let collection = try await Self.staleCollection(fixture, count: 200)
            let reindexer = CollectionReindexer(pool: fixture.schema.pool, collection: collection)
            _ = try await reindexer.cleanPendingLists()
            #expect(try await reindexer.pendingLists().map(\.index) == CollectionReindexer.ginIndexes)
            try await reindexer.rebuildIndexes()
            let indexes = try await fixture.schema.pool.query("""
                SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(fixture.schema.name) AND c.relname = ANY (\(CollectionReindexer.ginIndexes))
                ORDER BY 1
                """)
            #expect(try indexes.map { try $0.decode(String.self, column: "name") } == CollectionReindexer.ginIndexes)
            #expect(try indexes.allSatisfy { try $0.decode(Bool.self, column: "valid") })
            #expect(try await fixture.engine.search(SearchRequest(collection: "weights", query: "falcon")).hits.count > 0)
        }
    }

    @Test func throttlesParseAndPace() {
        #expect(ReindexThrottle(parsing: "250ms") == .pause(.milliseconds(250)))
        #expect(ReindexThrottle(parsing: "2s") == .pause(.seconds(2)))
        #expect(ReindexThrottle(parsing: "5000/s") == .rate(5_000))
        #expect(ReindexThrottle(parsing: "none") == ReindexThrottle.none)
        #expect(ReindexThrottle(parsing: "fast") == nil)
        #expect(ReindexThrottle(parsing: "-1/s") == nil)
    }
}
