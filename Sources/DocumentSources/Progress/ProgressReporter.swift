public import Foundation
import Synchronization

/// Shows a job's progress on standard error: on a terminal a bar redrawn in place (`\r`), otherwise one
/// log line every few seconds. Messages (bad records, say) print above the bar. Safe from any task.
public final class ProgressReporter: Sendable {
    public enum Style: Sendable {
        /// A bar redrawn in place, for terminals.
        case bar
        /// A plain line every `logInterval`, for logs and pipes.
        case log
        /// Only messages and the final summary.
        case quiet
    }

    public let style: Style
    private let label: String
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant
    private let redrawInterval: Duration
    private let logInterval: Duration
    private let width: Int

    private struct State {
        var lastDrawn: ContinuousClock.Instant?
        var latest: ProgressSnapshot?
        var barVisible = false
    }

    private let state = Mutex(State())

    /// `style` nil picks `.bar` when standard error is a terminal and `.log` otherwise.
    public init(
        label: String, style: Style? = nil, width: Int? = nil,
        redrawInterval: Duration = .milliseconds(200), logInterval: Duration = .seconds(5),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.label = label
        self.style = style ?? (isatty(STDERR_FILENO) == 1 ? .bar : .log)
        self.width = width ?? Self.terminalWidth()
        self.redrawInterval = redrawInterval
        self.logInterval = logInterval
        self.now = now
        self.write = write
    }

    /// Records the latest numbers; draws when the interval for the style has passed.
    public func update(_ snapshot: ProgressSnapshot) {
        let text: String? = state.withLock { state in
            state.latest = snapshot
            let instant = now()
            switch style {
            case .quiet:
                return nil
            case .bar:
                if let last = state.lastDrawn, instant - last < redrawInterval { return nil }
                state.lastDrawn = instant
                state.barVisible = true
                return "\r" + ProgressLine.bar(snapshot, label: label, width: width) + "\u{1B}[K"
            case .log:
                guard let last = state.lastDrawn else {
                    // The first call only starts the clock: a job shorter than the interval logs nothing but its summary.
                    state.lastDrawn = instant
                    return nil
                }
                guard instant - last >= logInterval else { return nil }
                state.lastDrawn = instant
                return ProgressLine.log(snapshot, label: label) + "\n"
            }
        }
        if let text { write(text) }
    }

    /// Prints a line of its own (above the bar, which is redrawn after it).
    public func message(_ line: String) {
        let text: String = state.withLock { state in
            guard style == .bar, state.barVisible, let latest = state.latest else { return line + "\n" }
            return "\r\u{1B}[K" + line + "\n" + ProgressLine.bar(latest, label: label, width: width) + "\u{1B}[K"
        }
        write(text)
    }

    /// Draws the final numbers (bar style), ends the bar's line and prints the summary.
    public func finish(_ snapshot: ProgressSnapshot, summary: String) {
        let text: String = state.withLock { state in
            state.latest = snapshot
            var text = ""
            if style == .bar {
                text += "\r" + ProgressLine.bar(snapshot, label: label, width: width) + "\u{1B}[K\n"
                state.barVisible = false
            }
            return text + summary + "\n"
        }
        write(text)
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 80
    }
}
