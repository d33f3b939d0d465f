import Foundation

/// The system `tar` (GNU or BSD), run as a child process: the archive format is not ours to write.
///
/// Packing always archives one top-level folder; unpacking lists member names first and refuses
/// absolute paths, `..` and more than one top-level entry, then extracts verbosely so a failure can
/// name the member where the damage was found.
enum SystemTar {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: String {
        ["/usr/bin/tar", "/bin/tar"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/tar"
    }

    static func run(_ arguments: [String]) throws(BackupError) -> Result {
        let command = "tar " + arguments.joined(separator: " ")
        // stderr goes to a file and stdout to a pipe read to its end: neither can fill up and block tar.
        let errorPath = NSTemporaryDirectory() + "imagegen-tar-\(UUID().uuidString).err"
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
              let errorHandle = FileHandle(forWritingAtPath: errorPath) else {
            throw .tar(command: command, status: -1, output: "cannot create a temporary file in \(NSTemporaryDirectory())")
        }
        defer {
            // try?: cleanup of tar's temporary stderr file; the command's result stands
            try? errorHandle.close()
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errorHandle
        do { try process.run() } catch {
            throw .tar(command: command, status: -1, output: "cannot start \(executable): \(error.localizedDescription)")
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderrData = FileManager.default.contents(atPath: errorPath) ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// `tar -czf archive -C parent folderName`.
    static func pack(folder: String, into archive: String) throws(BackupError) {
        let parent = (folder as NSString).deletingLastPathComponent
        let name = (folder as NSString).lastPathComponent
        let arguments = ["-czf", archive, "-C", parent, name]
        let result = try run(arguments)
        guard result.status == 0 else {
            throw .tar(command: "tar " + arguments.joined(separator: " "), status: result.status, output: result.stderr)
        }
    }

    /// Member names, in archive order.
    static func list(_ archive: String) throws(BackupError) -> Result {
        try run(["-tzf", archive])
    }

    /// Extracts into `directory` (which should be new and empty), without restoring owners or
    /// permissions from the archive. `stdout` lists the members extracted.
    static func extract(_ archive: String, into directory: String) throws(BackupError) -> Result {
        try run(["-xzvf", archive, "-C", directory, "--no-same-owner", "--no-same-permissions"])
    }
}
