import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore
import Testing

/// `loupe import` as a separate process: exit codes, progress output, and a SIGKILL halfway.
@Suite struct ImportCommandTests {
    @Test func exitCodesTellSuccessPartialSuccessAndFailureApart() async throws {
        try await ImportFixture.with { fixture in
            let good = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(50)), suffix: ".jsonl")
            let bad = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(5)) + "oops\n", suffix: ".jsonl")
            defer { [good, bad].forEach { try? FileManager.default.removeItem(atPath: $0) } }
            let create = ["--create", "--field", "title:A", "--field", "body:B"]
            let success = try await LoupeProcess.run(["import", "--collection", "codes", "--progress", "log"] + create + [good], schema: fixture.schema)
            #expect(success.status == 0, "\(success.output)")
            #expect(success.output.contains("imported 50 records"))
            let failure = try await LoupeProcess.run(["import", "--collection", "codes", bad], schema: fixture.schema)
            #expect(failure.status == 1, "\(failure.output)")
            #expect(failure.output.contains("\(bad):6: malformed JSON"))
            let partial = try await LoupeProcess.run(["import", "--collection", "codes", "--max-errors", "1", bad], schema: fixture.schema)
            #expect(partial.status == 2, "\(partial.output)")
            let missing = try await LoupeProcess.run(["import", "--collection", "nowhere", good], schema: fixture.schema)
            #expect(missing.status != 0 && missing.output.contains("no collection named nowhere"))
        }
    }

    @Test func reindexVerifiesRewritesInParallelAndRefusesBadOptions() async throws {
        try await ImportFixture.with { fixture in
            let collection = try await ReindexTests.staleCollection(fixture, count: 600)
            let name = collection.definition.name.rawValue
            let stale = try await LoupeProcess.run(["reindex", "--collection", name, "--verify"], schema: fixture.schema)
            #expect(stale.status == 1 && stale.output.contains("600 of 600 documents have stale vectors"), "\(stale.output)")
            let bad = try await LoupeProcess.run(["reindex", "--collection", name, "--parallel", "0"], schema: fixture.schema)
            #expect(bad.status != 0 && bad.output.contains("--parallel must be between 1 and 16"), "\(bad.output)")
            let run = try await LoupeProcess.run(
                ["reindex", "--collection", name, "--batch", "50", "--parallel", "3", "--progress", "log"], schema: fixture.schema)
            #expect(run.status == 0 && run.output.contains("600 had stale vectors and were rewritten"), "\(run.output)")
            let fresh = try await LoupeProcess.run(["reindex", "--collection", name, "--verify"], schema: fixture.schema)
            #expect(fresh.status == 0 && fresh.output.contains("0 of 600 documents have stale vectors"), "\(fresh.output)")
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }

    @Test func progressIsABarOnATerminalAndLogLinesOtherwise() async throws {
        try await ImportFixture.with { fixture in
            let path = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(3_000)), suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let create = ["--create", "--field", "title:A", "--field", "body:B", "--batch", "100", "--mode", "incremental"]
            let bar = try await LoupeProcess.run(["import", "--collection", "bar", "--progress", "bar"] + create + [path], schema: fixture.schema)
            #expect(bar.status == 0, "\(bar.output)")
            #expect(bar.output.contains("\rimport [") && bar.output.contains("docs/s") && bar.output.contains("MB"))
            #expect(bar.output.contains("imported 3,000 records"))
            // Not a terminal (output goes to a file): no carriage returns or escapes, only lines and the summary.
            let log = try await LoupeProcess.run(["import", "--collection", "log"] + create + [path], schema: fixture.schema)
            #expect(log.status == 0, "\(log.output)")
            #expect(!log.output.contains("\r") && !log.output.contains("\u{1B}"))
            #expect(log.output.contains("imported 3,000 records"))
        }
    }

    @Test(arguments: ["incremental", "bulk"])
    func anImportKilledHalfwayResumesToExactlyTheRightDocuments(mode: String) async throws {
        try await ImportFixture.with { fixture in
            let documents = ImportFixture.documents(20_000)
            let path = try ImportFixture.file(try ImportFixture.jsonLines(documents), suffix: ".jsonl.gz")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let arguments = ["import", "--collection", "killed", "--create", "--field", "title:A", "--field", "body:B",
                             "--batch", "100", "--mode", mode, path]
            let process = try LoupeProcess(arguments, schema: fixture.schema)
            defer { try? FileManager.default.removeItem(atPath: process.outputPath) }
            // Wait until some batches are committed, then kill without warning.
            var committed = 0
            for _ in 0..<600 where committed < 10 {
                try await Task.sleep(for: .milliseconds(50))
                committed = try await fixture.schema.pool.query(
                    "SELECT coalesce(max(next_batch), 0)::bigint AS n FROM collection_jobs").single().decode(Int.self, column: "n")
            }
            process.kill()
            #expect(await process.wait() == 128 + SIGKILL)
            // 200 small batches: the kill lands long before the end even on a loaded machine.
            #expect(committed >= 10 && committed < 200, "committed \(committed) of 200 batches before the kill")
            let collection = try #require(try await fixture.store.find("killed"))
            let visible = try await fixture.storedDocuments(collection).count
            // Incremental batches are visible as they commit; bulk rows stay staged until the end.
            #expect(mode == "bulk" ? visible == 0 : visible < documents.count, "\(visible) documents visible")

            let resumed = try await LoupeProcess.run(arguments.dropLast() + ["--resume", path], schema: fixture.schema)
            #expect(resumed.status == 0, "\(resumed.output)")
            #expect(resumed.output.contains("resumed:"), "\(resumed.output)")
            // 20,000 documents written in all: the import ends by merging the GIN pending lists.
            #expect(resumed.output.contains("VACUUM ANALYZE of the search tables"), "\(resumed.output)")
            let stored = try await fixture.storedDocuments(collection)
            #expect(stored.count == documents.count)
            #expect(Set(stored.keys) == Set(documents.map(\.id)))
            #expect(try await fixture.statisticsProblems(collection) == [])
            let staging = try await fixture.schema.pool.query("""
                SELECT count(*) AS n FROM pg_tables WHERE schemaname = \(fixture.schema.name) AND tablename LIKE 'import_staging_%'
                """).single().decode(Int.self, column: "n")
            #expect(staging == 0)
        }
    }
}
