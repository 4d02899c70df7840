import Foundation
import LoupeTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The real `loupe` binary running as a child process, with its output in a temporary file.
/// Spawned with posix_spawn rather than Foundation's Process, whose exit detection can stall when
/// several children run at once.
final class ServerProcess {
    let pid: pid_t
    let outputPath: String

    static func binary() throws -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("loupe")
        for candidate in [beside, TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/loupe")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw FixtureError("the loupe binary is not built; run `swift build` first")
    }

    init(arguments: [String], environment: [String: String]) throws {
        let executable = try Self.binary().path
        outputPath = NSTemporaryDirectory() + "loupe-serve-\(UUID().uuidString.prefix(8)).log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard status == 0 else { throw FixtureError("posix_spawn failed: \(status)") }
        pid = child
    }

    private var exitStatus: Int32?

    /// False once the process has exited (and been reaped).
    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exitStatus = status
            return false
        }
        return true
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits (up to `timeout`) for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32? {
        if let exitStatus { return exitStatus }
        kill(pid, signal)
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return nil
    }

    deinit {
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}
