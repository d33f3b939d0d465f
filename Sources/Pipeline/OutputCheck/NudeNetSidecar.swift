import Foundation

/// NudeNet's ONNX detector (inside the `nudenet` wheel, run by onnxruntime on the CPU, nothing
/// downloaded) through a small Python script, `share/classifiers/nudenet-detect.py`. One process
/// per batch: loading the model costs ~0.2 s, each 1024² image ~0.05–0.1 s on one core.
public struct NudeNetSidecar: NudityClassifier {
    public let script: String
    public let python: String
    public private(set) var name = "nudenet"

    public init(script: String, python: String = "/usr/bin/env") {
        self.script = script
        self.python = python
    }

    private struct Output: Decodable {
        struct Image: Decodable {
            var path: String
            var detections: [NudityFinding]?
            var error: String?
        }
        var detector: String
        var images: [Image]
    }

    public func classify(files: [String]) throws(NudityCheckError) -> [[NudityFinding]] {
        guard FileManager.default.isReadableFile(atPath: script) else { throw .unavailable("no detector script at \(script)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (python.hasSuffix("/env") ? ["python3"] : []) + [script] + files
        let stdout = Pipe()
        // stderr to a file: two pipes read one after the other can deadlock on a chatty detector.
        let errorsPath = NSTemporaryDirectory() + "nudenet-\(UUID().uuidString.prefix(8)).err"
        guard FileManager.default.createFile(atPath: errorsPath, contents: nil), let errorsFile = FileHandle(forWritingAtPath: errorsPath) else {
            throw .unavailable("cannot create \(errorsPath) for the detector's messages")
        }
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }  // try?: a leftover temp file is harmless
        process.standardOutput = stdout
        process.standardError = errorsFile
        do { try process.run() } catch { throw .unavailable("cannot start \(python): \(error.localizedDescription)") }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = String(decoding: FileManager.default.contents(atPath: errorsPath) ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw .unavailable("the detector exited with status \(process.terminationStatus): \(errors.suffix(400))")
        }
        let output: Output
        do { output = try JSONDecoder().decode(Output.self, from: data) } catch {
            throw .unavailable("the detector's output is not its JSON document (\(error))")
        }
        guard output.images.count == files.count else {
            throw .unavailable("the detector answered for \(output.images.count) of \(files.count) images")
        }
        return try output.images.map { image throws(NudityCheckError) in
            if let error = image.error { throw .unreadable(path: image.path, reason: error) }
            return image.detections ?? []
        }
    }

    /// The detector's name and version as the script reports it (runs it once on no image).
    public func identified() throws(NudityCheckError) -> NudeNetSidecar {
        var copy = self
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (python.hasSuffix("/env") ? ["python3"] : []) + [script]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = Pipe()
        do { try process.run() } catch { throw .unavailable("cannot start \(python): \(error.localizedDescription)") }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let output = try? JSONDecoder().decode(Output.self, from: data) else {  // try?: a bad answer is reported as unavailable just below
            throw .unavailable("the detector did not start (status \(process.terminationStatus))")
        }
        copy.name = output.detector
        return copy
    }
}
