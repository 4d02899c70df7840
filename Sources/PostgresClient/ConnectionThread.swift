import Foundation

/// A dedicated OS thread that runs one connection actor's jobs, so blocking libpq calls never occupy
/// Swift's cooperative thread pool.
final class ConnectionThread: SerialExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [UnownedJob] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        pending.append(job)
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread exit once its queue is empty. Called when the owning actor is deinitialised,
    /// after which nothing can enqueue here any more.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while pending.isEmpty && !stopping {
                condition.wait()
            }
            if pending.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &pending)
            condition.unlock()
            let executor = asUnownedSerialExecutor()
            for job in batch {
                job.runSynchronously(on: executor)
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

/// Runs blocking work (a child process, file I/O) on a fresh thread instead of the cooperative pool.
func runOffCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}
