import Foundation
import ImagegenCore
#if canImport(Glibc)
import Glibc
#endif

/// A started `nudenet-detect.py --serve`: one path a line in, one JSON line out, each within
/// the launch's timeout (a detector that misses it is killed).
final class RunningDetector {
    let detector: String
    private let process: Process
    private let input: FileHandle
    private let output: Int32
    private let outputPipe: Pipe
    private let errorsPath: String
    private let timeout: Double
    private var buffer: [UInt8]

    private struct Hello: Decodable { var detector: String }
    private struct Answer: Decodable {
        var path: String
        var detections: [NudityFinding]?
        var error: String?
    }

    init(_ launch: DetectorLaunch) throws(NudityCheckError) {
        let script = launch.script, python = launch.python
        guard FileManager.default.isReadableFile(atPath: script) else { throw .unavailable("no detector script at \(script)") }
        // A write to a detector that died must be an error here, not a SIGPIPE that ends the host.
        signal(SIGPIPE, SIG_IGN)
        let process = Process(), outputPipe = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (python.hasSuffix("/env") ? ["python3"] : []) + [script, "--serve"]
        let inputPipe = Pipe()
        // stderr to a file: a chatty detector must never block on a pipe nobody reads.
        let errorsPath = NSTemporaryDirectory() + "nudenet-\(getpid())-\(UUID().uuidString.prefix(8)).err"
        guard FileManager.default.createFile(atPath: errorsPath, contents: nil), let errors = FileHandle(forWritingAtPath: errorsPath) else {
            throw .unavailable("cannot create \(errorsPath) for the detector's messages")
        }
        process.standardInput = inputPipe
        process.standardOutput = outputPipe
        process.standardError = errors
        let output = outputPipe.fileHandleForReading.fileDescriptor
        do { try process.run() } catch {
            try? FileManager.default.removeItem(atPath: errorsPath)  // try?: a leftover temp file is harmless
            throw .unavailable("cannot start \(python): \(error.localizedDescription)")
        }
        try? errors.close()  // try?: the child holds its own copy; ours only needs closing
        var buffer: [UInt8] = []
        let line: [UInt8]
        switch Self.readLine(output, &buffer, timeout: launch.timeout) {
        case .line(let l): line = l
        case .end: throw Self.failure("the detector did not start", process, errorsPath)
        case .timedOut: throw Self.failure("the detector did not start within \(Self.seconds(launch.timeout)) (output_check.timeout_seconds); it was killed",
                                           process, errorsPath)
        }
        do { detector = try JSONDecoder().decode(Hello.self, from: Data(line)).detector } catch {
            throw Self.failure("the detector's first line is not its greeting (\(String(decoding: line, as: UTF8.self).prefix(200)))",
                               process, errorsPath)
        }
        self.process = process
        self.input = inputPipe.fileHandleForWriting
        self.output = output
        self.outputPipe = outputPipe
        self.errorsPath = errorsPath
        self.timeout = launch.timeout
        self.buffer = buffer
    }

    deinit { stop() }

    /// Ends the detector: end of input (it exits), killed if it is still there a moment later.
    func stop() {
        try? input.close()  // try?: closing twice (stop, then deinit) reports an error nobody needs
        if process.isRunning {
            let deadline = Date().addingTimeInterval(2)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: errorsPath)  // try?: a leftover temp file is harmless
    }

    func detect(_ file: String) throws(NudityCheckError) -> [NudityFinding] {
        guard !file.contains("\n") else { throw .unreadable(path: file, reason: "a path with a line break cannot be sent to the detector") }
        do { try input.write(contentsOf: Data((file + "\n").utf8)) } catch { throw failure("cannot send it an image (\(error))") }
        let line: [UInt8]
        switch Self.readLine(output, &buffer, timeout: timeout) {
        case .line(let l): line = l
        case .end: throw failure("the detector stopped")
        case .timedOut: throw failure("the detector did not answer within \(Self.seconds(timeout)) (output_check.timeout_seconds); it was killed")
        }
        let answer: Answer
        do { answer = try JSONDecoder().decode(Answer.self, from: Data(line)) } catch {
            throw failure("the detector's answer is not JSON (\(String(decoding: line, as: UTF8.self).prefix(200)))")
        }
        if let error = answer.error { throw .unreadable(path: file, reason: error) }
        return answer.detections ?? []
    }

    private enum Read { case line([UInt8]), end, timedOut }

    /// The next line of the detector's output: `.end` at its end, `.timedOut` when none came in time.
    private static func readLine(_ output: Int32, _ buffer: inout [UInt8], timeout: Double) -> Read {
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return .line(line)
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return .timedOut }
            var wait = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&wait, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { if ready == 0 { continue } else { return .end } }
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { return .end }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    private static func seconds(_ t: Double) -> String { t == t.rounded() ? "\(Int(t)) s" : "\(t) s" }

    /// `.unavailable` with what the detector said on stderr (killing it first).
    private func failure(_ what: String) -> NudityCheckError { Self.failure(what, process, errorsPath) }

    private static func failure(_ what: String, _ process: Process, _ errorsPath: String) -> NudityCheckError {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let errors = String(decoding: FileManager.default.contents(atPath: errorsPath) ?? Data(), as: UTF8.self)
        let said = errors.isEmpty ? "" : ": " + errors.suffix(400).trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(atPath: errorsPath)  // try?: a leftover temp file is harmless
        return .unavailable("\(what) (exit status \(process.terminationStatus))\(said)")
    }
}
