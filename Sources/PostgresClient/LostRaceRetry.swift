extension PostgresError {
    /// True when the server aborted the transaction only because of how it raced with another one (a deadlock
    /// or a serialization failure): running the same work again can succeed.
    public var isLostRace: Bool {
        code == .deadlockDetected || code == .serializationFailure
    }
}

/// Runs `body`, a whole transaction or a single autocommitted statement, again when it loses a race with
/// another transaction (`PostgresError.isLostRace`), up to `attempts` times in all, with a short growing pause
/// between tries. Returns its result and how many times it was run again.
public func retryingLostRaces<T>(
    attempts: Int = 6, _ body: () async throws -> T
) async throws -> (value: T, retries: Int) {
    var retries = 0
    while true {
        do {
            return (try await body(), retries)
        } catch let error as PostgresError where error.isLostRace && retries + 1 < attempts {
            retries += 1
            try await Task.sleep(for: .milliseconds(50 * retries))
        }
    }
}
