import Foundation
import ImagegenCore
#if canImport(Glibc)
import Glibc
#endif

/// The one line `generate` redraws on a terminal while a batch runs:
/// `12/16 done · 3 running · 1 queued · $0.36 · 8.2 s`. Cut to the terminal's width, so a
/// redraw never wraps and leaves rows behind (a wrapped line cannot be erased with `\r`).
public struct BatchProgressLine: Sendable {
    public var width: Int

    public init(width: Int) { self.width = width }

    public func render(_ jobs: [Job], elapsed: TimeInterval) -> String {
        let finished = jobs.filter(\.state.isTerminal)
        let failed = finished.filter { $0.state != .succeeded }.count
        let running = jobs.filter { [.submitting, .submitted, .running].contains($0.state) }.count
        let queued = jobs.filter { $0.state == .queued }.count
        var parts = ["\(finished.count - failed)/\(jobs.count) done"]
        if failed > 0 { parts.append("\(failed) failed") }
        if running > 0 { parts.append("\(running) running") }
        if queued > 0 { parts.append("\(queued) queued") }
        let spent = jobs.compactMap { $0.costUSD ?? $0.reservedUSD }
        if !spent.isEmpty { parts.append(String(format: "$%.2f", spent.reduce(0, +))) }
        parts.append(String(format: "%.1f s", elapsed))
        let line = parts.joined(separator: " · ")
        return line.count <= width ? line : String(line.prefix(max(width - 1, 0))) + "…"
    }

    /// The terminal's width on standard error, 80 when it cannot be read.
    public static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
