import Foundation

/// What every result records beside its figures: the machine, the software, and when.
public enum MachineFacts {
    /// CPU, cores, memory, load, Swift and PostgreSQL versions, commit and date. `postgres` adds the server's
    /// version and the settings that move text-search timings, read from the database the benchmark used.
    public static func collect(postgres: [String: String] = [:]) -> [String: String] {
        var facts = [
            "date": ISO8601DateFormatter().string(from: Date()),
            "cpu": shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
            "cores": shell("nproc"),
            "memory": shell("free -g | awk '/Mem:/ {print $2 \" GiB\"}'"),
            "load": shell("cat /proc/loadavg"),
            "swift": shell("swift --version 2>/dev/null | head -1"),
            // A result made from uncommitted changes says so (results being written under bench/results aside).
            "commit": shell("""
                c=$(git rev-parse --short=7 HEAD 2>/dev/null) && if git diff --quiet HEAD -- . ':!bench/results' 2>/dev/null; \\
                then echo "$c"; else echo "$c (with uncommitted changes)"; fi
                """),
            "build": isDebugBuild ? "debug" : "release",
        ]
        facts.merge(postgres) { _, new in new }
        return facts
    }

    /// One line for a Markdown report.
    public static func line(_ facts: [String: String]) -> String {
        let settings = ["shared_buffers", "work_mem", "max_parallel_workers_per_gather"]
            .compactMap { key in facts[key].map { "\(key) \($0)" } }.joined(separator: ", ")
        return "\(facts["cpu"] ?? "?"), \(facts["cores"] ?? "?") cores, \(facts["memory"] ?? "?"); "
            + "\(facts["postgresql"] ?? "PostgreSQL ?")\(settings.isEmpty ? "" : " (\(settings))"); "
            + "\(facts["swift"] ?? "Swift ?"), \(facts["build"] ?? "?") build; load \(facts["load"] ?? "?"); "
            + "commit \(facts["commit"] ?? "?"); \(facts["date"] ?? "")"
    }

    static var isDebugBuild: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }

    private static func shell(_ command: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
