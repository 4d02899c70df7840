import SearchCore

/// One ranked match: where it is, its score and, under an attribute sort, its sort value.
struct RankedMatch: Sendable {
    var score: Double
    var sortValue: JSONValue?
    var identifier: String
    var segment: Int
    var number: UInt32
}

/// The total order of results: score descending (or the sort attribute), then the app's id by its bytes,
/// so ties never repeat or skip across pages.
struct ResultOrder: Sendable {
    let sort: SortOrder?

    /// True when `a` comes before `b`.
    func precedes(_ a: RankedMatch, _ b: RankedMatch) -> Bool {
        if let sort {
            let order = JSONOrdering.compare(a.sortValue ?? .null, b.sortValue ?? .null)
            if order != 0 { return sort.descending ? order > 0 : order < 0 }
        } else if a.score != b.score {
            return a.score > b.score
        }
        return Self.identifierPrecedes(a.identifier, b.identifier)
    }

    static func identifierPrecedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// Where the previous page stopped: only matches after it in the result order qualify.
struct Keyset: Sendable {
    let order: ResultOrder
    let last: RankedMatch

    init(cursor: PageCursor, sort: SortOrder?) throws(SearchError) {
        order = ResultOrder(sort: sort)
        if sort != nil {
            guard let value = try? JSONParser.parse(Array(cursor.lastValue.utf8)) else {
                throw .invalidCursor("it is not a cursor this server issued")
            }
            last = RankedMatch(score: 0, sortValue: value, identifier: cursor.lastID, segment: 0, number: 0)
        } else {
            guard let score = Double(cursor.lastValue), score.isFinite else {
                throw .invalidCursor("it is not a cursor this server issued")
            }
            last = RankedMatch(score: score, sortValue: nil, identifier: cursor.lastID, segment: 0, number: 0)
        }
    }

    func admits(_ match: RankedMatch) -> Bool {
        order.precedes(last, match)
    }
}

/// The best `capacity` matches seen so far: a binary heap with the worst kept match at its root.
struct TopKCollector {
    let capacity: Int
    let order: ResultOrder
    private(set) var heap: [RankedMatch] = []

    init(capacity: Int, order: ResultOrder) {
        self.capacity = capacity
        self.order = order
        heap.reserveCapacity(capacity)
    }

    var isFull: Bool { heap.count >= capacity }

    /// Under relevance order, a match must score at least this much to get in (ties then go by id).
    var threshold: Double { isFull ? heap[0].score : -Double.infinity }

    /// Whether `match` would be kept; cheap to ask before the costlier checks (filters).
    func wouldKeep(score: Double, identifier: @autoclosure () -> String) -> Bool {
        guard isFull else { return true }
        if score != heap[0].score { return score > heap[0].score }
        return ResultOrder.identifierPrecedes(identifier(), heap[0].identifier)
    }

    mutating func offer(_ match: RankedMatch) {
        if heap.count < capacity {
            heap.append(match)
            siftUp(heap.count - 1)
        } else if let worst = heap.first, order.precedes(match, worst) {
            heap[0] = match
            siftDown(0)
        }
    }

    /// The kept matches, best first.
    func sorted() -> [RankedMatch] {
        heap.sorted { order.precedes($0, $1) }
    }

    // The root is the match every other precedes: "worse" sifts up.
    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard order.precedes(heap[parent], heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < heap.count, order.precedes(heap[worst], heap[left]) { worst = left }
            if right < heap.count, order.precedes(heap[worst], heap[right]) { worst = right }
            if worst == parent { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
