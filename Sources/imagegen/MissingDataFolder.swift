import Foundation
import ImagegenCore

/// A command that only reads, run where no data folder exists (`imagegen models` from the home
/// folder, a mistyped `--data`), works on an empty temporary stand-in, so it never leaves a
/// `data/` folder and a master key behind in a place nobody chose.
struct MissingDataFolder {
    let path: String

    static func standIn(for paths: inout HostPaths, command: any Command.Type, args: Arguments) -> MissingDataFolder? {
        guard !FileManager.default.fileExists(atPath: paths.data), !command.createsDataFolder(args.positionals) else { return nil }
        let standIn = NSTemporaryDirectory() + "imagegen-empty-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: standIn, withIntermediateDirectories: true)
        } catch {
            return nil  // the command then reports the missing folder itself when it needs it
        }
        if !args.json && !args.flags.contains("quiet") {
            Output.note("no data folder at \(paths.data) (nothing generated there yet), so nothing is stored and this shows an empty one; "
                        + "`imagegen generate` or `imagegen serve` creates it, --data DIR (or IMAGEGEN_DATA) points at another")
        }
        paths.data = standIn
        return MissingDataFolder(path: standIn)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)  // try?: a temporary folder left behind is harmless; the command's own outcome matters
    }
}
