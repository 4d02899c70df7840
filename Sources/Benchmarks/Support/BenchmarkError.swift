/// A benchmark that cannot run, with the reason in words.
public struct BenchmarkError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
