import Benchmarks
import Foundation
import Testing

@Suite struct MachineFactsTests {
    /// The commit a result records is the checkout's, marked when the code differs from it (the tests run from
    /// the package root, a git checkout).
    @Test func theCommitIsTheCheckoutsAndSaysWhenItHasUncommittedChanges() throws {
        let commit = try #require(MachineFacts.collect()["commit"])
        #expect(commit.wholeMatch(of: /[0-9a-f]{7}( \(with uncommitted changes\))?/) != nil, "\(commit)")
        let line = MachineFacts.line(["commit": commit, "cores": "2"])
        #expect(line.contains("commit \(commit)"))
    }
}
