import DocumentSources
import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore
import Synchronization
import Testing

@Suite struct ImportTests {
    final class Problems: Sendable {
        let list = Mutex<[RecordProblem]>([])
        func add(_ problem: RecordProblem) { list.withLock { $0.append(problem) } }
        var all: [RecordProblem] { list.withLock { $0 } }
    }

    static func run(
        _ fixture: ImportFixture, _ collection: StoredCollection, _ options: ImportOptions
    ) async throws -> (summary: ImportSummary, problems: [RecordProblem]) {
        let problems = Problems()
        let summary = try await DocumentImporter(pool: fixture.schema.pool, collection: collection)
            .run(options, problem: { problems.add($0) })
        return (summary, problems.all)
    }

    @Test(arguments: [ImportMode.incremental, .bulk])
    func everyInputFormatLoadsExactlyItsDocuments(mode: ImportMode) async throws {
        try await ImportFixture.with { fixture in
            let documents = ImportFixture.documents(300)
            let jsonl = try ImportFixture.jsonLines(documents)
            let array = "[\n" + jsonl.split(separator: "\n").joined(separator: ",\n") + "\n]"
            let csv = "id,title,body\n" + documents.map { "\($0.id),\"\($0.title)\",\($0.body)" }.joined(separator: "\r\n") + "\r\n"
            let inputs: [(String, String)] = [("jsonl", ".jsonl.gz"), ("array", ".json"), ("csv", ".csv.gz")]
            for (name, suffix) in inputs {
                let text = name == "jsonl" ? jsonl : name == "array" ? array : csv
                let path = try ImportFixture.file(text, suffix: suffix)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let collection = try await fixture.collection("\(name)-\(mode)")
                let (summary, problems) = try await Self.run(
                    fixture, collection, ImportOptions(inputs: [path], mode: mode, batchSize: 64))
                #expect(problems.isEmpty, "\(name): \(problems)")
                #expect(summary.completed && summary.mode == mode && summary.records == 300 && summary.documentsWritten == 300)
                let stored = try await fixture.storedDocuments(collection)
                #expect(stored.count == 300)
                for document in documents {
                    let body = try #require(stored[document.id].map { try JSONValue(parsing: $0) }, "\(name): \(document.id) is missing")
                    #expect(body["title"]?.stringValue == document.title && body["body"]?.stringValue == document.body)
                }
                #expect(try await fixture.statisticsProblems(collection) == [], "\(name) in \(mode) mode")
                let page = try await fixture.engine.search(SearchRequest(collection: collection.definition.name.rawValue, query: "number41"))
                #expect(Set(page.hits.map(\.id)) == ["doc-000041", "doc-000138", "doc-000235"])
            }
        }
    }

    @Test func bulkAndIncrementalBuildTheSameStatistics() async throws {
        try await ImportFixture.with { fixture in
            let path = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(1_000)), suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let bulk = try await fixture.collection("bulk")
            let incremental = try await fixture.collection("incremental")
            _ = try await Self.run(fixture, bulk, ImportOptions(inputs: [path], mode: .bulk, batchSize: 100))
            _ = try await Self.run(fixture, incremental, ImportOptions(inputs: [path], mode: .incremental, batchSize: 100))
            // Incremental impacts use the reference length of the first batches (refreshed only past 10 % drift);
            // with the same reference length, both paths must store the same impacts.
            try await fixture.schema.pool.query("SELECT refresh_search_impacts(\(incremental.id))")
            let differences = try await fixture.schema.pool.query("""
                SELECT count(*) AS n FROM
                    (SELECT lexeme, document_frequency FROM term_statistics WHERE collection_id = \(bulk.id)) AS b
                    FULL JOIN (SELECT lexeme, document_frequency FROM term_statistics WHERE collection_id = \(incremental.id)) AS i
                    USING (lexeme)
                WHERE b.document_frequency IS DISTINCT FROM i.document_frequency
                """).single().decode(Int.self, column: "n")
            #expect(differences == 0)
            let impacts = try await fixture.schema.pool.query("""
                SELECT count(*) AS n, max(abs(b.impact - i.impact)) AS worst
                FROM postings b JOIN documents bd ON bd.id = b.document_id
                JOIN documents id ON id.external_id = bd.external_id AND id.collection_id = \(incremental.id)
                JOIN postings i ON i.document_id = id.id AND i.lexeme = b.lexeme
                WHERE b.collection_id = \(bulk.id)
                """).single()
            let postings = try await fixture.schema.pool.query(
                "SELECT count(*) AS n FROM postings WHERE collection_id = \(bulk.id)").single().decode(Int.self, column: "n")
            #expect(try impacts.decode(Int.self, column: "n") == postings)
            #expect(try impacts.decode(Double.self, column: "worst") < 1e-9)
        }
    }

    /// A bulk import (or one that wrote 10,000 documents) ends with VACUUM ANALYZE. It merges the GIN pending lists,
    /// which every search of those indexes scans in full (a bulk import of the Debian descriptions left all 63,955
    /// rows in the attribute index's list: bench/results/vacuum-after-import), and sets the visibility map the
    /// postings' index-only scans need. A small incremental import leaves that to autovacuum.
    @Test func aBulkImportEndsWithItsIndexesMergedAndVacuumed() async throws {
        try await ImportFixture.with { fixture in
            let path = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(300)), suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let pool = fixture.schema.pool
            // An autoanalyze of the table would merge the lists too (GIN does so when autovacuum analyzes).
            try await pool.query("ALTER TABLE documents SET (autovacuum_enabled = false)")
            // Merges what is still pending and says how many pages that was, over all GIN indexes.
            func pendingPages() async throws -> Int {
                try await fixture.mergePendingLists().map(\.pages).reduce(0, +)
            }
            func vacuums(_ table: String) async throws -> Int {
                try await pool.query("SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = \(table)::regclass")
                    .single().decode(Int.self, column: "vacuum_count")
            }
            let small = try await Self.run(
                fixture, try await fixture.collection("small"), ImportOptions(inputs: [path], mode: .incremental, batchSize: 100))
            #expect(small.summary.vacuumTime == nil)
            #expect(try await vacuums("postings") == 0)
            #expect(try await pendingPages() > 0)

            let bulk = try await Self.run(
                fixture, try await fixture.collection("bulk"), ImportOptions(inputs: [path], mode: .bulk, batchSize: 100))
            #expect(bulk.summary.vacuumTime != nil)
            #expect(try await pendingPages() == 0)
            for table in ["documents", "postings", "term_statistics"] {
                #expect(try await vacuums(table) == 1, "\(table)")
            }
            // The build after the import numbered the documents anew; that table is vacuumed after it.
            #expect(bulk.summary.packing != nil)
            #expect(try await vacuums("packed_documents") >= 1)
        }
    }

    /// Into an empty collection the publication writes postings prepared from the staged rows on a second
    /// connection; they must be the rows a rebuild from `documents` writes, bit for bit, whatever the weights.
    @Test func preparedPostingsAreExactlyWhatARebuildWrites() async throws {
        try await ImportFixture.with { fixture in
            let first = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(1_500)), suffix: ".jsonl")
            let second = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(400, from: 1_500, tag: "more")), suffix: ".jsonl")
            defer { for path in [first, second] { try? FileManager.default.removeItem(atPath: path) } }
            let collection = try await fixture.collection("prepared", title: .a, body: .c)
            // Class C weighs nothing: body-only words count for document frequencies but get no posting.
            try await fixture.schema.pool.query("""
                UPDATE collections SET bm25_class_weights = '{1, 0.6, 0, 0.25}', bm25_k1 = 1.1, bm25_b = 0.7 WHERE id = \(collection.id)
                """)
            let snapshot: PostgresQuery = """
                SELECT (SELECT string_agg(p.lexeme || ' ' || d.external_id || ' ' || p.impact::text, '|' ORDER BY p.lexeme, d.external_id)
                        FROM postings p JOIN documents d ON d.id = p.document_id WHERE p.collection_id = \(collection.id)) AS postings,
                       (SELECT string_agg(lexeme || ' ' || document_frequency, '|' ORDER BY lexeme)
                        FROM term_statistics WHERE collection_id = \(collection.id)) AS frequencies,
                       (SELECT document_count || ' ' || class_lengths::text || ' ' || reference_length::text
                        FROM collection_statistics WHERE collection_id = \(collection.id)) AS totals
                """
            func state() async throws -> [String?] {
                let row = try await fixture.schema.pool.query(snapshot).single()
                return try ["postings", "frequencies", "totals"].map { try row.decode(String?.self, column: $0) }
            }

            let bulk = try await Self.run(fixture, collection, ImportOptions(inputs: [first], mode: .bulk, batchSize: 200))
            #expect(bulk.summary.completed && bulk.summary.documentsWritten == 1_500)
            #expect(bulk.summary.publicationSteps?.preparedPostings == true)
            let prepared = try await state()
            #expect(prepared.allSatisfy { $0 != nil })
            let withoutPostings = try await fixture.schema.pool.query("""
                SELECT count(*) AS n FROM term_statistics t WHERE t.collection_id = \(collection.id)
                  AND NOT EXISTS (SELECT 1 FROM postings p WHERE p.collection_id = t.collection_id AND p.lexeme = t.lexeme)
                """).single().decode(Int.self, column: "n")
            #expect(withoutPostings > 0)
            try await fixture.schema.pool.query("SELECT rebuild_search_statistics(\(collection.id))")
            #expect(try await state() == prepared)

            // A collection that already holds documents is rebuilt from them.
            let more = try await Self.run(fixture, collection, ImportOptions(inputs: [second], mode: .bulk, batchSize: 200))
            #expect(more.summary.completed && more.summary.documentsWritten == 400)
            #expect(more.summary.publicationSteps?.preparedPostings == false)
            let rebuilt = try await state()
            try await fixture.schema.pool.query("SELECT rebuild_search_statistics(\(collection.id))")
            #expect(try await state() == rebuilt)
            let page = try await fixture.engine.search(SearchRequest(collection: "prepared", query: "more number3"))
            #expect(!page.hits.isEmpty)
        }
    }

    @Test func badRecordsAreReportedAndMaxErrorsDecidesWhenToStop() async throws {
        try await ImportFixture.with { fixture in
            let good = try ImportFixture.jsonLines(ImportFixture.documents(9))
                .split(separator: "\n").map(String.init)
            // tsvector's 1 MB limit: enough distinct words to pass the field limit but not PostgreSQL's.
            let manyWords = (0..<160_000).map { "w" + String($0, radix: 36) }.joined(separator: " ")
            var lines = [
                good[0], good[1], good[2],                                  // batch 0: clean
                good[3], "{\"id\": \"broken\"", good[4],                    // batch 1: invalid JSON
                "{\"title\": \"no id\"}", good[5], "{\"id\":\"doc-000000\",\"title\":\"again\"}", // batch 2: missing and duplicate id
                "{\"id\":\"nul\",\"title\":\"a\\u0000b\"}", good[6], "{\"id\":\"huge\",\"body\":\"\(manyWords)\"}", // batch 3: NUL, tsvector
                good[7], good[8],
            ].map { Array($0.utf8) }
            lines.insert(Array("{\"id\":\"latin1\",\"title\":\"caf".utf8) + [0xE9] + Array("\"}".utf8), at: 12) // batch 4: invalid UTF-8
            let path = NSTemporaryDirectory() + "bad-\(UUID().uuidString).jsonl"
            try Data(lines.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }

            // Default --max-errors 0: the first bad record stops the import; batch 0 stays, batch 1 is not written.
            let stopped = try await fixture.collection("stopped")
            let first = try await Self.run(fixture, stopped, ImportOptions(inputs: [path], batchSize: 3, writers: 1))
            #expect(!first.summary.completed)
            #expect(first.problems.map(\.line) == [5])
            #expect(first.problems.first?.description.hasPrefix("\(path):5: ") == true)
            #expect(Set(try await fixture.storedDocuments(stopped).keys) == ["doc-000000", "doc-000001", "doc-000002"])
            #expect(try await fixture.statisticsProblems(stopped) == [])

            // Enough room: every bad record is reported with its line and code, the rest land.
            for mode in [ImportMode.incremental, .bulk] {
                let tolerant = try await fixture.collection("tolerant-\(mode)")
                let result = try await Self.run(
                    fixture, tolerant, ImportOptions(inputs: [path], mode: mode, batchSize: 3, writers: 2, maximumProblems: 10))
                #expect(result.summary.completed)
                #expect(result.summary.problems == 6)
                let byLine = Dictionary(uniqueKeysWithValues: result.problems.map { ($0.line, $0.codeName) })
                #expect(byLine == [5: "invalid_json", 7: "missing_id", 9: "duplicate_id", 10: "nul_character",
                                   12: "vector_too_large", 13: "invalid_utf8"], "\(mode)")
                #expect(try await fixture.storedDocuments(tolerant).count == 9)
                #expect(try await fixture.statisticsProblems(tolerant) == [])
            }
        }
    }

    @Test func importingTheSameFileTwiceChangesNothing() async throws {
        try await ImportFixture.with { fixture in
            let path = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(500)), suffix: ".jsonl.gz")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let collection = try await fixture.collection("twice")
            let first = try await Self.run(fixture, collection, ImportOptions(inputs: [path], batchSize: 100))
            let snapshot: PostgresQuery = """
                SELECT string_agg(external_id || document::text || search_vector::text || updated_at::text, '|' ORDER BY external_id) AS s
                FROM documents WHERE collection_id = \(collection.id)
                """
            let before = try await fixture.schema.pool.query(snapshot).single().decode(String.self, column: "s")
            for mode in [ImportMode.incremental, .bulk] {
                let again = try await Self.run(fixture, collection, ImportOptions(inputs: [path], mode: mode, batchSize: 100))
                #expect(first.summary.documentsWritten == 500 && again.summary.documentsWritten == 0 && again.summary.completed)
                #expect(try await fixture.schema.pool.query(snapshot).single().decode(String.self, column: "s") == before)
            }
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }

    @Test(arguments: [ImportMode.incremental, .bulk])
    func aStoppedImportResumesFromItsCheckpointWithoutDuplicates(mode: ImportMode) async throws {
        try await ImportFixture.with { fixture in
            var lines = try ImportFixture.jsonLines(ImportFixture.documents(1_000)).split(separator: "\n").map(String.init)
            lines.insert("not json", at: 620)
            let path = try ImportFixture.file(lines.joined(separator: "\n"), suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let collection = try await fixture.collection("resumed")
            let first = try await Self.run(fixture, collection, ImportOptions(inputs: [path], mode: mode, batchSize: 100, writers: 1))
            #expect(!first.summary.completed)
            // Same input, one bad record allowed: batches 0-5 are skipped, not written again.
            let second = try await Self.run(
                fixture, collection, ImportOptions(inputs: [path], mode: mode, batchSize: 100, maximumProblems: 1, resume: true))
            #expect(second.summary.completed && second.summary.resumed)
            #expect(second.summary.skippedRecords == 600)
            #expect(second.problems.map(\.line) == [621])
            let stored = try await fixture.storedDocuments(collection)
            #expect(stored.count == 1_000)
            #expect(try await fixture.statisticsProblems(collection) == [])
            let jobs = try await fixture.schema.pool.query("SELECT state, problems FROM collection_jobs WHERE collection_id = \(collection.id)")
            #expect(try jobs.map { try $0.decode(String.self, column: "state") } == ["completed"])
            #expect(try jobs.first?.decode(Int.self, column: "problems") == 1)
        }
    }
}

extension ImportTests {
    @Test func theModeIsChosenBySizeOfTheLoadAgainstTheCollection() {
        #expect(ImportMode.automatic(estimatedDocuments: nil, existingDocuments: 0) == .incremental)
        #expect(ImportMode.automatic(estimatedDocuments: 10_000, existingDocuments: 0) == .incremental)
        #expect(ImportMode.automatic(estimatedDocuments: 300_000, existingDocuments: 0) == .bulk)
        #expect(ImportMode.automatic(estimatedDocuments: 300_000, existingDocuments: 200_000) == .bulk)
        #expect(ImportMode.automatic(estimatedDocuments: 300_000, existingDocuments: 1_000_000) == .incremental)
    }
}

extension JSONValue {
    init(parsing text: String) throws {
        self = try JSONParser.parse(Array(text.utf8))
    }
}
