import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LoupeTestSupport
import PostgresClient
import SearchCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `loupe serve` as a user runs it: a real port, a real database, HTTP over loopback.
@Suite struct LiveServerTests {
    @Test func serveLoadsSearchesPagesToTheEndAndDeletes() async throws {
        let server = try await TestDatabase.serverConfiguration()
        let database = "test_live_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let admin = try await PostgresConnection.connect(server)
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))

        let port = Int.random(in: 20_000...40_000)
        let key = "live-admin-key-\(UUID().uuidString)"
        let process = try ServerProcess(
            arguments: ["serve", "--port", String(port), "--migrations", TestDatabase.repositoryRoot.appendingPathComponent("migrations").path],
            environment: ["DATABASE_URL": server.url(database: database), "LOUPE_ADMIN_KEY": key, "LOUPE_CURSOR_SECRET": String(repeating: "s", count: 40)])
        let base = URL(string: "http://127.0.0.1:\(port)")!

        func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> (status: Int, json: JSONValue) {
            var request = URLRequest(url: URL(string: path, relativeTo: base)!)
            request.httpMethod = method
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
            if let body {
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONParser.parse(Array(data))) ?? .null)
        }

        // Ready within 60 s (migrations run at start).
        var ready = false
        for _ in 0..<600 where !ready && process.isRunning {
            ready = (try? await call("GET", "/ready").status) == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else {
            let output = process.output
            await process.stop(signal: SIGKILL)
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
            Issue.record("the server did not become ready: \(output)")
            return
        }

        #expect(try await call("POST", "/v1/collections", #"{"name": "live", "fields": [{"name": "title", "weight": "A"}]}"#).status == 201)
        let documents = (0..<230).map { #"{"id": "d\#($0)", "title": "shared term number \#($0)"}"# }
        let written = try await call("POST", "/v1/collections/live/documents", "[" + documents.joined(separator: ",") + "]")
        #expect(written.json["written"] == .number("230"))

        var seen: [String] = []
        var cursor: String?
        repeat {
            var path = "/v1/collections/live/search?q=shared+term&limit=100"
            if let cursor { path += "&cursor=\(cursor)" }
            let page = try await call("GET", path)
            #expect(page.status == 200)
            guard case .array(let hits)? = page.json["hits"] else { break }
            seen += hits.compactMap { $0["id"]?.stringValue }
            cursor = page.json["next_cursor"]?.stringValue
        } while cursor != nil && seen.count < 1_000
        #expect(seen.count == 230)
        #expect(Set(seen).count == 230)

        #expect(try await call("DELETE", "/v1/collections/live/documents/d7").status == 200)
        let after = try await call("GET", "/v1/collections/live/search?q=shared&limit=1")
        #expect(after.json["estimated_total_hits"] == .number("229"))
        #expect(try await call("DELETE", "/v1/collections/live").status == 200)

        // SIGTERM: a graceful stop, exit status 0, and the log never shows the key.
        let status = await process.stop(signal: SIGTERM)
        #expect(status == 0)
        #expect(process.output.contains("request"))
        #expect(!process.output.contains(key))
        #expect(!process.output.contains("shared+term"))
        try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
    }
}
