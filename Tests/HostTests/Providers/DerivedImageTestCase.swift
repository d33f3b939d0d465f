import Foundation
import XCTest
@testable import Catalog
@testable import ImagegenCore
@testable import Pipeline

/// Shared by the vary/upscale tests: a running job runner over a service, and waits for a job
/// to end. No test methods here (Linux XCTest would not run inherited ones anyway).
class DerivedImageTestCase: ProviderTestCase {
    var runner: JobRunner?
    var service: GenerationService!

    /// The job's state once terminal (fails the test after 20 s).
    func terminal(_ id: String) async throws -> Job {
        await runner?.wake()
        let end = Date().addingTimeInterval(20)
        while Date() < end {
            if let job = try service.catalog.job(id), job.state.isTerminal { return job }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("job \(id) did not finish within 20 s")
        throw CancellationError()
    }

    /// The image of the first job, which must succeed.
    func finished(_ jobs: [Job]) async throws -> ImageRecord {
        let job = try await terminal(try XCTUnwrap(jobs.first?.id))
        XCTAssertEqual(job.state, .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")")
        return try XCTUnwrap(try service.catalog.images(ImageFilter(jobID: job.id)).first)
    }

    /// Width and height from the stored file's PNG header.
    func storedSize(_ image: ImageRecord) throws -> (Int, Int) {
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: service.content.absolute(image.filePath))))
        ProviderAssert.isWholePNG(bytes)
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }
}
