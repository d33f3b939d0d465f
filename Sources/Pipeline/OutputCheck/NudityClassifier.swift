import Foundation
import ImagegenCore

/// The plugin point of the output check: anything that can say which body parts an image shows.
/// `NudeNetSidecar` is the one shipped; tests drive the rules with recorded findings instead.
public protocol NudityClassifier: Sendable {
    /// The detector's name and version (kept with each verdict).
    var name: String { get }
    /// Findings for each file, in order. Throws when the detector cannot run or cannot read a file.
    func classify(files: [String]) throws(NudityCheckError) -> [[NudityFinding]]
    /// Whether it runs, for health reports.
    var status: NudityDetectorStatus { get }
}

extension NudityClassifier {
    public var status: NudityDetectorStatus { NudityDetectorStatus(state: .running, name: name) }
}

public enum NudityCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The detector is not installed or cannot start.
    case unavailable(String)
    /// The detector ran but could not read this image.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unavailable(let reason):
            return "the nudity check cannot run: \(reason). Install it with scripts/install-deps.sh (python3 -m pip install nudenet==3.4.2), "
                + "or point output_check.python at a Python that has it"
        case let .unreadable(path, reason):
            return "the nudity check cannot read \(path): \(reason)"
        }
    }
}
