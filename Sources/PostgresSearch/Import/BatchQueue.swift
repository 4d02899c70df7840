/// A bounded hand-off between the reader and the batch writers: the reader waits when `capacity` batches
/// are queued, so memory holds a few batches whatever the input size. A failure wakes everyone.
actor BatchQueue<Element: Sendable> {
    private let capacity: Int
    private var items: [Element] = []
    private var closed = false
    private var failure: (any Error)?
    private var takers: [CheckedContinuation<Element?, Never>] = []
    private var putters: [CheckedContinuation<Void, Never>] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func put(_ item: Element) async throws {
        while failure == nil && items.count >= capacity {
            await withCheckedContinuation { putters.append($0) }
        }
        if let failure { throw failure }
        if takers.isEmpty {
            items.append(item)
        } else {
            takers.removeFirst().resume(returning: item)
        }
    }

    /// The next item; nil once the queue is closed and empty, or failed.
    func take() async -> Element? {
        if failure == nil, !items.isEmpty {
            let item = items.removeFirst()
            if !putters.isEmpty { putters.removeFirst().resume() }
            return item
        }
        if closed || failure != nil { return nil }
        return await withCheckedContinuation { takers.append($0) }
    }

    /// No more items will come.
    func close() {
        closed = true
        for taker in takers { taker.resume(returning: nil) }
        takers.removeAll()
    }

    func fail(_ error: any Error) {
        guard failure == nil else { return }
        failure = error
        items.removeAll()
        for taker in takers { taker.resume(returning: nil) }
        for putter in putters { putter.resume() }
        takers.removeAll()
        putters.removeAll()
    }
}
