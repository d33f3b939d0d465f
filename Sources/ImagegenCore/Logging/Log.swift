import Foundation
import Synchronization

/// The host's log: one line per event to stderr (and optionally a file), every line passed
/// through the redactor first so that no configured secret is ever written.
public final class Log: Sendable {
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug = 0, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var description: String { ["debug", "info", "warning", "error"][rawValue] }
    }

    /// A sink receives finished, redacted lines.
    public typealias Sink = @Sendable (String) -> Void

    private struct State {
        var minimum: Level
        var sinks: [Sink]
        var redact: @Sendable (String) -> String
    }
    private let state: Mutex<State>

    public init(minimum: Level = .info, sinks: [Sink] = [Log.standardError],
                redact: @escaping @Sendable (String) -> String = { $0 }) {
        state = Mutex(State(minimum: minimum, sinks: sinks, redact: redact))
    }

    public static let standardError: Sink = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Installs the redaction function (set once the secrets are known).
    public func setRedaction(_ redact: @escaping @Sendable (String) -> String) {
        state.withLock { $0.redact = redact }
    }

    /// `text` with every secret masked by the installed redaction (for messages that leave the
    /// host other than as log lines: errors handed back to plugins, stored job errors).
    public func redact(_ text: String) -> String {
        let redact = state.withLock { $0.redact }
        return redact(text)
    }

    public func setMinimum(_ level: Level) { state.withLock { $0.minimum = level } }

    public func addSink(_ sink: @escaping Sink) { state.withLock { $0.sinks.append(sink) } }

    public func log(_ level: Level, _ message: @autoclosure () -> String, source: String = "host") {
        let (minimum, sinks, redact) = state.withLock { ($0.minimum, $0.sinks, $0.redact) }
        guard level >= minimum else { return }
        let stamp = Log.timestamp()
        let line = redact("\(stamp) \(level) [\(source)] \(message())")
        for sink in sinks { sink(line) }
    }

    public func debug(_ m: @autoclosure () -> String, source: String = "host") { log(.debug, m(), source: source) }
    public func info(_ m: @autoclosure () -> String, source: String = "host") { log(.info, m(), source: source) }
    public func warning(_ m: @autoclosure () -> String, source: String = "host") { log(.warning, m(), source: source) }
    public func error(_ m: @autoclosure () -> String, source: String = "host") { log(.error, m(), source: source) }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = tm()
        var secs = tv.tv_sec
        gmtime_r(&secs, &t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                      t.tm_hour, t.tm_min, t.tm_sec, Int(tv.tv_usec / 1000))
    }
}
