/// Where a long job stands, in numbers; `ProgressLine` turns it into text.
public struct ProgressSnapshot: Sendable, Hashable {
    /// Records (documents) handled so far.
    public var documents: Int
    /// The number of records in all, when known (reindex).
    public var totalDocuments: Int?
    /// Input bytes consumed, and their total when known (import; for `.gz` these are compressed bytes).
    public var bytes: Int
    public var totalBytes: Int?
    public var problems: Int
    public var elapsed: Duration

    public init(
        documents: Int, totalDocuments: Int? = nil, bytes: Int = 0, totalBytes: Int? = nil, problems: Int = 0,
        elapsed: Duration
    ) {
        self.documents = documents
        self.totalDocuments = totalDocuments
        self.bytes = bytes
        self.totalBytes = totalBytes
        self.problems = problems
        self.elapsed = elapsed
    }

    var seconds: Double { elapsed / .seconds(1) }

    /// How much is done, from bytes when their total is known, else from documents.
    public var fraction: Double? {
        if let totalBytes, totalBytes > 0 { return min(1, Double(bytes) / Double(totalBytes)) }
        if let totalDocuments, totalDocuments > 0 { return min(1, Double(documents) / Double(totalDocuments)) }
        return nil
    }

    public var documentsPerSecond: Double? {
        seconds >= 0.001 ? Double(documents) / seconds : nil
    }

    /// Remaining time at the average rate so far.
    public var remainingSeconds: Double? {
        guard let fraction, fraction > 0, seconds >= 0.5 else { return nil }
        return seconds * (1 - fraction) / fraction
    }
}

/// Text forms of a progress snapshot: pure functions, so they are tested without a terminal.
public enum ProgressLine {
    /// `[#####-----]  45%  12,345 docs  3.4/7.6 MB  5,432 docs/s  ETA 0:12  2 errors`, fitted to `width`.
    public static func bar(_ snapshot: ProgressSnapshot, label: String = "", width: Int = 80) -> String {
        var parts: [String] = []
        if let fraction = snapshot.fraction { parts.append(percent(fraction)) }
        parts.append(contentsOf: facts(snapshot))
        parts.append("ETA " + (snapshot.remainingSeconds.map(duration) ?? "--:--"))
        if snapshot.problems > 0 { parts.append(errors(snapshot.problems)) }
        let text = parts.joined(separator: "  ")
        let prefix = label.isEmpty ? "" : label + " "
        let barWidth = min(40, width - prefix.count - text.count - 4)
        guard barWidth >= 10 else { return String((prefix + text).prefix(max(0, width - 1))) }
        return prefix + "[" + gauge(snapshot.fraction, width: barWidth) + "]  " + text
    }

    /// One line for logs: `import: 45% 12,345 docs, 3.4/7.6 MB, 5,432 docs/s, ETA 0:12, 0 errors`.
    public static func log(_ snapshot: ProgressSnapshot, label: String) -> String {
        var parts = facts(snapshot)
        if let fraction = snapshot.fraction { parts[0] = percent(fraction) + " " + parts[0] }
        if let remaining = snapshot.remainingSeconds { parts.append("ETA " + duration(remaining)) }
        parts.append(errors(snapshot.problems))
        return label + ": " + parts.joined(separator: ", ")
    }

    /// The filled part of the gauge; an unknown fraction shows an empty gauge.
    public static func gauge(_ fraction: Double?, width: Int) -> String {
        let filled = fraction.map { Int(($0 * Double(width)).rounded(.down)) } ?? 0
        let clamped = max(0, min(width, filled))
        return String(repeating: "#", count: clamped) + String(repeating: "-", count: width - clamped)
    }

    /// `0:07`, `12:34`, `1:02:03`.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let tail = (minutes < 10 && hours > 0 ? "0" : "") + "\(minutes):" + (secs < 10 ? "0" : "") + "\(secs)"
        return hours > 0 ? "\(hours):" + tail : tail
    }

    /// `1,234,567`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// Megabytes (10^6 bytes) with one decimal.
    public static func megabytes(_ bytes: Int) -> String {
        let tenths = (Double(bytes) / 100_000).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }

    private static func percent(_ fraction: Double) -> String {
        let value = Int((fraction * 100).rounded(.down))
        return (value < 10 ? "  " : value < 100 ? " " : "") + "\(value)%"
    }

    private static func facts(_ snapshot: ProgressSnapshot) -> [String] {
        var parts = [count(snapshot.documents) + (snapshot.totalDocuments.map { "/" + count($0) } ?? "") + " docs"]
        if snapshot.bytes > 0 || snapshot.totalBytes != nil {
            parts.append(megabytes(snapshot.bytes) + (snapshot.totalBytes.map { "/" + megabytes($0) } ?? "") + " MB")
        }
        parts.append(count(Int((snapshot.documentsPerSecond ?? 0).rounded())) + " docs/s")
        return parts
    }

    private static func errors(_ problems: Int) -> String {
        count(problems) + (problems == 1 ? " error" : " errors")
    }
}
