/// Walks the documents of one segment that match part of a query, in increasing order: the boolean and
/// phrase semantics of a PostgreSQL `tsquery` over the segment's postings.
protocol DocumentMatcher: AnyObject {
    /// The current document, or `PostingsCursor.exhausted`.
    var document: UInt32 { get }
    func next()
    /// Moves to the first match at or after `target`.
    func advance(to target: UInt32)
    /// Positions of the current document's match, ascending (for phrase slots).
    func positions(into output: inout [UInt32])
    /// Postings it may walk, to order intersections cheapest first.
    var cost: Int { get }
}

final class EmptyMatcher: DocumentMatcher {
    var document: UInt32 { PostingsCursor.exhausted }
    func next() {}
    func advance(to target: UInt32) {}
    func positions(into output: inout [UInt32]) { output.removeAll() }
    var cost: Int { 0 }
}

final class TermMatcher: DocumentMatcher {
    let cursor: PostingsCursor

    init(_ cursor: PostingsCursor) {
        self.cursor = cursor
    }

    var document: UInt32 { cursor.document }
    func next() { cursor.next() }
    func advance(to target: UInt32) { cursor.advance(to: target) }
    func positions(into output: inout [UInt32]) { cursor.currentPositions(into: &output) }
    var cost: Int { cursor.documentFrequency }
}

/// Any child matches (`a | b`, a prefix's expansions). Children are kept in a min-heap by document.
final class UnionMatcher: DocumentMatcher {
    private var heap: [any DocumentMatcher]
    let cost: Int
    private var scratch: [UInt32] = []

    init(_ children: [any DocumentMatcher]) {
        heap = children.filter { $0.document != PostingsCursor.exhausted }
        cost = children.reduce(0) { $0 + $1.cost }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    var document: UInt32 { heap.first?.document ?? PostingsCursor.exhausted }

    func next() {
        let current = document
        guard current != PostingsCursor.exhausted else { return }
        advance(to: current + 1)
    }

    func advance(to target: UInt32) {
        while let top = heap.first, top.document < target {
            top.advance(to: target)
            if top.document == PostingsCursor.exhausted {
                heap.swapAt(0, heap.count - 1)
                heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
    }

    func positions(into output: inout [UInt32]) {
        output.removeAll(keepingCapacity: true)
        let current = document
        for child in heap where child.document == current {
            child.positions(into: &scratch)
            output.append(contentsOf: scratch)
        }
        output.sort()
        var unique = 0
        for index in output.indices where index == 0 || output[index] != output[unique - 1] {
            output[unique] = output[index]
            unique += 1
        }
        output.removeLast(output.count - unique)
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].document < heap[smallest].document { smallest = left }
            if right < heap.count, heap[right].document < heap[smallest].document { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

/// Every child matches (`a & b`): leapfrogging from the cheapest child.
final class IntersectionMatcher: DocumentMatcher {
    private let children: [any DocumentMatcher]
    private(set) var document: UInt32 = PostingsCursor.exhausted

    init(_ children: [any DocumentMatcher]) {
        self.children = children.sorted { $0.cost < $1.cost }
        align(from: self.children.first?.document ?? PostingsCursor.exhausted)
    }

    var cost: Int { children.first?.cost ?? 0 }

    func next() {
        guard document != PostingsCursor.exhausted, let first = children.first else { return }
        first.advance(to: document + 1)
        align(from: first.document)
    }

    func advance(to target: UInt32) {
        guard document < target, let first = children.first else { return }
        first.advance(to: target)
        align(from: first.document)
    }

    func positions(into output: inout [UInt32]) { output.removeAll() }

    private func align(from start: UInt32) {
        var target = start
        var agreed = 0
        var index = 0
        while target != PostingsCursor.exhausted, agreed < children.count {
            let child = children[index]
            child.advance(to: target)
            if child.document == target {
                agreed += 1
            } else {
                target = child.document
                agreed = 1
            }
            index = (index + 1) % children.count
        }
        document = target
    }
}

/// Slots at fixed offsets from each other (`a <-> b <2> c`): documents where every slot matches and some
/// position p has slot i at p + offset(i).
final class PhraseMatcher: DocumentMatcher {
    private let slots: [(matcher: any DocumentMatcher, offset: UInt32)]
    private let documents: IntersectionMatcher
    private var slotPositions: [[UInt32]]
    private(set) var document: UInt32 = PostingsCursor.exhausted

    init(_ slots: [(matcher: any DocumentMatcher, offset: UInt32)]) {
        self.slots = slots
        documents = IntersectionMatcher(slots.map(\.matcher))
        slotPositions = Array(repeating: [], count: slots.count)
        settle()
    }

    var cost: Int { documents.cost }

    func next() {
        guard document != PostingsCursor.exhausted else { return }
        documents.next()
        settle()
    }

    func advance(to target: UInt32) {
        guard document < target else { return }
        documents.advance(to: target)
        settle()
    }

    func positions(into output: inout [UInt32]) { output.removeAll() }

    private func settle() {
        while documents.document != PostingsCursor.exhausted {
            if phraseOccurs() {
                document = documents.document
                return
            }
            documents.next()
        }
        document = PostingsCursor.exhausted
    }

    private func phraseOccurs() -> Bool {
        for index in slots.indices { slots[index].matcher.positions(into: &slotPositions[index]) }
        var cursors = Array(repeating: 0, count: slots.count)
        for start in slotPositions[0] {
            guard start >= slots[0].offset else { continue }
            let base = start - slots[0].offset
            var all = true
            for index in 1..<slots.count {
                let wanted = base + slots[index].offset
                let positions = slotPositions[index]
                while cursors[index] < positions.count, positions[cursors[index]] < wanted { cursors[index] += 1 }
                if cursors[index] == positions.count { return false }
                if positions[cursors[index]] != wanted { all = false; break }
            }
            if all { return true }
        }
        return false
    }
}

/// Matches of `base` that `excluded` does not match (`a & !b`).
final class ExcludingMatcher: DocumentMatcher {
    private let base: any DocumentMatcher
    private let excluded: any DocumentMatcher
    private(set) var document: UInt32 = PostingsCursor.exhausted

    init(_ base: any DocumentMatcher, excluding excluded: any DocumentMatcher) {
        self.base = base
        self.excluded = excluded
        settle()
    }

    var cost: Int { base.cost }

    func next() {
        guard document != PostingsCursor.exhausted else { return }
        base.next()
        settle()
    }

    func advance(to target: UInt32) {
        guard document < target else { return }
        base.advance(to: target)
        settle()
    }

    func positions(into output: inout [UInt32]) { base.positions(into: &output) }

    private func settle() {
        while base.document != PostingsCursor.exhausted {
            excluded.advance(to: base.document)
            if excluded.document != base.document {
                document = base.document
                return
            }
            base.next()
        }
        document = PostingsCursor.exhausted
    }
}
