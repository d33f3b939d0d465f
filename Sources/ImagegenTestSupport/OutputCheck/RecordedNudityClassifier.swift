import Foundation
import Synchronization
import ImagegenCore
import Pipeline

/// A nudity detector that answers with recorded NudeNet outputs, one per image, in order, so
/// the pipeline's quarantine rules are tested without the model. With no answer left it fails
/// as a detector that stopped would (`.unavailable`). It also keeps the size of each input
/// (read from the PNG header) so a test can see the detector got the pipeline's small copy.
public final class RecordedNudityClassifier: NudityClassifier {
    public let name: String
    private let answers: Mutex<[[NudityFinding]]>
    private let inputs = Mutex<[(width: Int, height: Int)]>([])

    public init(name: String = "recorded nudenet 3.4.2", answers: [[NudityFinding]]) {
        self.name = name
        self.answers = Mutex(answers)
    }

    public func classify(files: [String]) throws(NudityCheckError) -> [[NudityFinding]] {
        try files.map { file throws(NudityCheckError) in
            let header = Array(FileManager.default.contents(atPath: file)?.prefix(24) ?? Data())
            guard header.count == 24 else { throw .unreadable(path: file, reason: "no such image") }
            let size = (width: header[16..<20].reduce(0) { $0 << 8 | Int($1) }, height: header[20..<24].reduce(0) { $0 << 8 | Int($1) })
            inputs.withLock { $0.append(size) }
            guard let answer = answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
                throw .unavailable("the recorded detector has no answer left")
            }
            return answer
        }
    }

    /// Width and height of each image the detector was given (PNG inputs), in order.
    public var inputSizes: [(width: Int, height: Int)] { inputs.withLock { $0 } }
}
