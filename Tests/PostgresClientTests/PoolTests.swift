import Foundation
import LoupeTestSupport
import PostgresClient
import Synchronization
import Testing

@Suite struct PoolTests {
    @Test func poolOfFourServesTwoHundredConcurrentTasks() async throws {
        try await TestDatabase.withSchema(maximumConnections: 4) { schema in
            // A generous checkout wait: the last of 200 queued tasks waits for 50 rounds, which on a loaded
            // machine (the suite runs in parallel) can pass the 5-second default.
            let pool = PostgresConnectionPool(
                configuration: schema.configuration, options: .init(maximumConnections: 4, checkoutTimeout: .seconds(120)))
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<200 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            let row = try await connection.query(
                                "SELECT pg_backend_pid() AS pid, \(task)::int8 AS task, pg_sleep(0.005)"
                            ).single()
                            #expect(try row.decode(Int.self, column: "task") == task)
                            return try row.decode(Int.self, column: "pid")
                        }
                    }
                }
                var pids: [Int] = []
                for try await pid in group { pids.append(pid) }
                return pids
            }
            #expect(pids.count == 200)
            #expect(Set(pids).count <= 4)
            let statistics = await pool.statistics
            #expect(statistics.open <= 4)
            #expect(statistics.waiting == 0)
            #expect(statistics.inUse == 0)
            await pool.shutdown()
        }
    }

    @Test func checkoutWaitIsBoundedWithAClearError() async throws {
        let server = try await TestDatabase.serverConfiguration()
        let pool = PostgresConnectionPool(
            configuration: server, options: .init(maximumConnections: 1, checkoutTimeout: .milliseconds(200)))
        let released = Flag()
        let holding = Task {
            try await pool.withConnection { connection in try await connection.query("SELECT pg_sleep(4)") }
            released.set()
        }
        try await Task.sleep(for: .milliseconds(300))
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .poolTimeout)
        #expect(error?.description.contains("pool size 1") == true)
        // Bounded by the checkout timeout, not by the holder: the error came while the connection was still held
        // (an order, not a time limit, so a loaded machine cannot fail it).
        #expect(!released.isSet)
        _ = try await holding.value
        try await pool.query("SELECT 1")
        await pool.shutdown()
        let closed = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(closed?.kind == .poolClosed)
    }

    @Test func brokenConnectionsAreNotReused() async throws {
        try await TestDatabase.withSchema(maximumConnections: 1) { schema in
            let victim = try await schema.pool.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, column: "pid")
            let admin = try await PostgresConnection.connect(try await TestDatabase.serverConfiguration())
            try await admin.query("SELECT pg_terminate_backend(\(victim))")
            try await Task.sleep(for: .milliseconds(100))
            let next = try await schema.pool.query("SELECT pg_backend_pid() AS pid").single().decode(Int32.self, column: "pid")
            #expect(next != victim)
        }
    }

    /// libpq blocks its thread; if that were a cooperative-pool thread (two on this machine), eight
    /// sleeping queries would stall every other task until they finished. Checked by order, not by a time
    /// limit, so a loaded machine cannot fail it: a short sleep loop must finish while the queries still run.
    @Test func blockingCallsLeaveTheCooperativePoolFree() async throws {
        try await TestDatabase.withSchema(maximumConnections: 8) { schema in
            let queriesEnded = Flag()
            let sleepers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await schema.pool.query("SELECT pg_sleep(4)") }
                    }
                    try await group.waitForAll()
                }
                queriesEnded.set()
            }
            try await Task.sleep(for: .milliseconds(300))
            for _ in 0..<5 { try await Task.sleep(for: .milliseconds(10)) }
            let finishedFirst = !queriesEnded.isSet
            try await sleepers.value
            #expect(finishedFirst, "a cooperative task was stalled until the blocking queries ended")
        }
    }

    @Test func poolRecoversAfterTheServerRestarts() async throws {
        try await TestDatabase.withPrivateCluster { cluster in
            let pool = PostgresConnectionPool(
                configuration: try await cluster.configuration(), options: .init(maximumConnections: 2))
            let before = try await pool.query("SELECT pg_postmaster_start_time() AS started").single()
                .decode(Date.self, column: "started")
            // Two connections open and idle in the pool when the server goes away.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 { group.addTask { try await pool.query("SELECT pg_sleep(0.1)") } }
                try await group.waitForAll()
            }
            #expect(await pool.statistics.open == 2)
            try await cluster.restart()
            for _ in 0..<5 {
                let after = try await pool.query("SELECT pg_postmaster_start_time() AS started").single()
                    .decode(Date.self, column: "started")
                #expect(after > before)
            }
            await pool.shutdown()
        }
    }
}

/// A one-way flag shared between tasks.
private final class Flag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() {
        value.withLock { $0 = true }
    }
}
