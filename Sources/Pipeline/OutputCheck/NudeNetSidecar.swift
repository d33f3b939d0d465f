import Foundation
import ImagegenCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// NudeNet's ONNX detector (inside the `nudenet` wheel, run by onnxruntime on the CPU, nothing
/// downloaded) through a small Python script, `share/classifiers/nudenet-detect.py`, kept running
/// (`--serve`): the model loads once per host (~0.5 s with Python and onnxruntime), then each
/// image costs only its detection. Copies of this value share the one process.
public struct NudeNetSidecar: NudityClassifier {
    public let script: String
    public let python: String
    public private(set) var name = "nudenet"
    private let session = SidecarSession()

    /// - Parameter python: the interpreter; `/usr/bin/env` runs PATH's `python3`.
    public init(script: String, python: String = "/usr/bin/env") {
        self.script = script
        self.python = python
    }

    public func classify(files: [String]) throws(NudityCheckError) -> [[NudityFinding]] {
        try session.withRunning(script: script, python: python) { (process) throws(NudityCheckError) in
            try files.map { file throws(NudityCheckError) in try process.detect(file) }
        }
    }

    /// Starts the detector and returns this value named as the script reports it (`nudenet 3.4.2`).
    /// Throws `.unavailable` naming what to install when it cannot start.
    public func identified() throws(NudityCheckError) -> NudeNetSidecar {
        var copy = self
        copy.name = try session.withRunning(script: script, python: python) { (process) throws(NudityCheckError) in process.detector }
        return copy
    }
}

/// The one detector process of a `NudeNetSidecar` (started on first use, restarted after it dies).
private final class SidecarSession: Sendable {
    private let state = Mutex<RunningDetector?>(nil)

    func withRunning<T: Sendable>(script: String, python: String,
                        _ body: (RunningDetector) throws(NudityCheckError) -> T) throws(NudityCheckError) -> T {
        try state.withLock { (running: inout RunningDetector?) throws(NudityCheckError) -> T in
            if running == nil { running = try RunningDetector(script: script, python: python) }
            do throws(NudityCheckError) {
                return try body(running!)
            } catch {
                // A dead detector is replaced on the next call; an unreadable image leaves it running.
                if case .unavailable = error { running = nil }
                throw error
            }
        }
    }
}

/// A started `nudenet-detect.py --serve`: one path a line in, one JSON line out.
private final class RunningDetector {
    let detector: String
    private let process: Process
    private let input: FileHandle
    private let output: Int32
    private let outputPipe: Pipe
    private let errorsPath: String
    private var buffer: [UInt8]

    private struct Hello: Decodable { var detector: String }
    private struct Answer: Decodable {
        var path: String
        var detections: [NudityFinding]?
        var error: String?
    }

    init(script: String, python: String) throws(NudityCheckError) {
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
        guard let line = Self.readLine(output, &buffer) else { throw Self.failure("the detector did not start", process, errorsPath) }
        do { detector = try JSONDecoder().decode(Hello.self, from: Data(line)).detector } catch {
            throw Self.failure("the detector's first line is not its greeting (\(String(decoding: line, as: UTF8.self).prefix(200)))",
                               process, errorsPath)
        }
        self.process = process
        self.input = inputPipe.fileHandleForWriting
        self.output = output
        self.outputPipe = outputPipe
        self.errorsPath = errorsPath
        self.buffer = buffer
    }

    deinit {
        try? input.close()  // try?: the detector exits on end of input whether or not the close reports an error
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: errorsPath)  // try?: a leftover temp file is harmless
    }

    func detect(_ file: String) throws(NudityCheckError) -> [NudityFinding] {
        guard !file.contains("\n") else { throw .unreadable(path: file, reason: "a path with a line break cannot be sent to the detector") }
        do { try input.write(contentsOf: Data((file + "\n").utf8)) } catch { throw failure("cannot send it an image (\(error))") }
        guard let line = Self.readLine(output, &buffer) else { throw failure("the detector stopped") }
        let answer: Answer
        do { answer = try JSONDecoder().decode(Answer.self, from: Data(line)) } catch {
            throw failure("the detector's answer is not JSON (\(String(decoding: line, as: UTF8.self).prefix(200)))")
        }
        if let error = answer.error { throw .unreadable(path: file, reason: error) }
        return answer.detections ?? []
    }

    /// The next line of the detector's output, nil at its end.
    private static func readLine(_ output: Int32, _ buffer: inout [UInt8]) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// `.unavailable` with what the detector said on stderr (stopping it first).
    private func failure(_ what: String) -> NudityCheckError { Self.failure(what, process, errorsPath) }

    private static func failure(_ what: String, _ process: Process, _ errorsPath: String) -> NudityCheckError {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let errors = String(decoding: FileManager.default.contents(atPath: errorsPath) ?? Data(), as: UTF8.self)
        let said = errors.isEmpty ? "" : ": " + errors.suffix(400).trimmingCharacters(in: .whitespacesAndNewlines)
        return .unavailable("\(what) (exit status \(process.terminationStatus))\(said)")
    }
}
