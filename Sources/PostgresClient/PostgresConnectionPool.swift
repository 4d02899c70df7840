/// A bounded pool of connections.
///
/// - At most `maximumConnections` are open; further callers wait up to `checkoutTimeout`, then get a
///   `.poolTimeout` error.
/// - A connection is checked on checkout (and pinged after a long idle), so connections broken by a
///   server restart are replaced instead of handed out.
/// - `withConnection` and `withTransaction` always return the connection, and may be called from many
///   tasks at once.
public actor PostgresConnectionPool {
    public struct Options: Sendable {
        public var maximumConnections: Int
        public var checkoutTimeout: Duration
        /// Idle connections older than this are pinged before reuse.
        public var pingAfterIdle: Duration

        public init(maximumConnections: Int = 10, checkoutTimeout: Duration = .seconds(5), pingAfterIdle: Duration = .seconds(10)) {
            self.maximumConnections = max(1, maximumConnections)
            self.checkoutTimeout = checkoutTimeout
            self.pingAfterIdle = pingAfterIdle
        }
    }

    /// A snapshot of the pool's state, for metrics.
    public struct Statistics: Sendable {
        public let open: Int
        public let idle: Int
        public let waiting: Int
        public var inUse: Int { open - idle }
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<PostgresConnection, any Error>
        let timeout: Task<Void, Never>
    }

    public nonisolated let configuration: PostgresConfiguration
    public nonisolated let options: Options
    private var idle: [PostgresConnection] = []
    /// Open connections plus those being opened.
    private var openCount = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    private var closed = false

    public init(configuration: PostgresConfiguration, options: Options = Options()) {
        self.configuration = configuration
        self.options = options
    }

    public var statistics: Statistics {
        Statistics(open: openCount, idle: idle.count, waiting: waiters.count)
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    public func withConnection<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await checkout()
        do {
            let value = try await body(connection)
            await checkin(connection)
            return value
        } catch {
            await checkin(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection: commit on return, rollback on throw.
    public func withTransaction<T>(
        _ isolationLevel: PostgresIsolationLevel = .readCommitted,
        readOnly: Bool = false,
        timeout: Duration? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.withTransaction(isolationLevel, readOnly: readOnly, timeout: timeout) { try await body($0) }
        }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public nonisolated func query(_ query: PostgresQuery, timeout: Duration? = nil) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query, timeout: timeout) }
    }

    /// Closes idle connections, fails waiters, and closes busy connections as they come back.
    public func shutdown() async {
        closed = true
        for waiter in waiters {
            waiter.timeout.cancel()
            waiter.continuation.resume(throwing: Self.closedError)
        }
        waiters.removeAll()
        let connections = idle
        idle.removeAll()
        openCount -= connections.count
        for connection in connections { await connection.close() }
    }

    // MARK: checkout and checkin

    private func checkout() async throws -> PostgresConnection {
        guard !closed else { throw Self.closedError }
        while let candidate = idle.popLast() {
            let idleFor = ContinuousClock.now - (await candidate.lastReleased)
            if await candidate.isHealthy(ping: idleFor > options.pingAfterIdle) {
                return candidate
            }
            openCount -= 1
            await candidate.close()
        }
        if openCount < options.maximumConnections {
            openCount += 1
            do {
                return try await PostgresConnection.connect(configuration)
            } catch {
                openCount -= 1
                serveWaitersWithFreeCapacity()
                throw error
            }
        }
        return try await waitForConnection()
    }

    private func waitForConnection() async throws -> PostgresConnection {
        nextWaiterID += 1
        let id = nextWaiterID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let timeout = Task { [options] in
                    try? await Task.sleep(for: options.checkoutTimeout)
                    if !Task.isCancelled { self.failWaiter(id, with: self.timeoutError) }
                }
                waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
            }
        } onCancel: {
            Task { await self.failWaiter(id, with: CancellationError()) }
        }
    }

    private var timeoutError: PostgresError {
        PostgresError(
            kind: .poolTimeout,
            message: "no database connection became free within \(options.checkoutTimeout) "
                + "(pool size \(options.maximumConnections), all in use)")
    }

    private static var closedError: PostgresError {
        PostgresError(kind: .poolClosed, message: "the database connection pool is shut down")
    }

    private func failWaiter(_ id: UInt64, with error: any Error) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timeout.cancel()
        waiter.continuation.resume(throwing: error)
    }

    private func checkin(_ connection: PostgresConnection) async {
        // A connection left inside a transaction or broken by the server is not reused.
        let healthy = await connection.isHealthy(ping: false)
        guard healthy, !closed else {
            openCount -= 1
            await connection.close()
            serveWaitersWithFreeCapacity()
            return
        }
        await connection.markReleased()
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.timeout.cancel()
            waiter.continuation.resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    /// After a connection is dropped, opens a replacement for the longest waiter.
    private func serveWaitersWithFreeCapacity() {
        guard !closed, !waiters.isEmpty, openCount < options.maximumConnections else { return }
        let waiter = waiters.removeFirst()
        waiter.timeout.cancel()
        openCount += 1
        Task {
            do {
                let connection = try await PostgresConnection.connect(self.configuration)
                waiter.continuation.resume(returning: connection)
            } catch {
                self.connectFailed()
                waiter.continuation.resume(throwing: error)
            }
        }
    }

    private func connectFailed() {
        openCount -= 1
    }
}

extension PostgresConnection {
    func markReleased() {
        lastReleased = .now
    }
}
