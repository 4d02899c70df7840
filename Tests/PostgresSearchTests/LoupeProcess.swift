import Foundation
import LoupeTestSupport
import PostgresClient

/// The built `loupe` executable run as a separate process against one test schema, as a user would run it.
/// Spawned with `posix_spawn` and reaped with `waitpid` (Foundation's `Process` can miss exits when several
/// run at once); output goes to a file.
final class LoupeProcess: @unchecked Sendable {
    let pid: pid_t
    let outputPath: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `loupe` next to the test bundle (both live in the build's bin folder).
    static func executable() throws -> String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("loupe").path
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        throw Failure(description: "the loupe executable was not found next to \(CommandLine.arguments[0]); build it first")
    }

    /// A URL for the test's server whose sessions use the test's schema.
    static func databaseURL(_ schema: TestSchema) -> String {
        let options = "options=-csearch_path%3D" + schema.name
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            return url + (url.contains("?") ? "&" : "?") + options
        }
        let configuration = schema.configuration
        let host = (configuration.host ?? "/tmp").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "postgresql://\(configuration.user ?? "postgres")@/\(configuration.database ?? "postgres")"
            + "?host=\(host)&port=\(configuration.port ?? 5432)&\(options)"
    }

    init(_ arguments: [String], schema: TestSchema) throws {
        let executable = try Self.executable()
        outputPath = NSTemporaryDirectory() + "loupe-\(UUID().uuidString).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = Self.databaseURL(schema)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard status == 0 else { throw Failure(description: "cannot run \(executable): \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Waits for the exit (off the cooperative pool); returns the exit code, or 128 + signal.
    func wait() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }

    func kill() {
        _ = Foundation.kill(pid, SIGKILL)
    }

    var output: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Runs to the end; returns the exit code and everything printed.
    static func run(_ arguments: [String], schema: TestSchema) async throws -> (status: Int32, output: String) {
        let process = try LoupeProcess(arguments, schema: schema)
        defer { try? FileManager.default.removeItem(atPath: process.outputPath) }
        let status = await process.wait()
        return (status, process.output)
    }
}
