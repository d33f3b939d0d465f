import CVips
import Dispatch
import Foundation
import Synchronization

/// Renders a verified image into the derivatives a profile asks for:
/// enhance once at full size → resize once per distinct size (Lanczos3) → encode each size in
/// each enabled format, metadata stripped.
///
/// Work is shared where the result would be identical: the enhanced master is computed once
/// and kept in memory, sizes that come out equal (e.g. "publish" for an image already under
/// 1080 px, since nothing is upscaled) are resized once, and equal pixels written with equal
/// settings are encoded once. The decoded original is only read, never changed.
struct DerivativeRenderer: Sendable {
    let profile: ImagingProfile
    let parallelEncoding: Bool
    /// The AI marking written into every derivative (nil: none, for callers outside publishing).
    var label: ProvenanceLabel? = nil

    func render(_ image: VerifiedImage) throws(ImageProcessingError) -> PostProcessingResult {
        let (enhancedLazy, applied) = try AutoEnhancer(settings: profile.enhancement).enhance(image.pixels)
        // Everything below reads the enhanced master several times: compute it once.
        let enhanced = applied == AppliedEnhancement() ? enhancedLazy : try enhancedLazy.copiedToMemory()

        // One rendered image per distinct pixel size.
        var rendered: [PixelSize: VipsImageHandle] = [:]
        var plan: [(variant: String, size: PixelSize)] = []
        for size in profile.sizes {
            let (width, height) = size.dimensions(forSourceWidth: enhanced.width, height: enhanced.height)
            let pixelSize = PixelSize(width: width, height: height)
            plan.append((size.name, pixelSize))
            if rendered[pixelSize] == nil {
                rendered[pixelSize] = try resize(enhanced, to: pixelSize)
            }
        }

        // One encode job per distinct (size, encoding); derivatives point at their job.
        let encodings = profile.formats.encodings
        var jobs: [EncodeJob] = []
        var jobIndex: [EncodeJob: Int] = [:]
        var derivativeJobs: [(variant: String, job: Int)] = []
        for entry in plan {
            for encoding in encodings {
                let job = EncodeJob(size: entry.size, encoding: encoding)
                if jobIndex[job] == nil {
                    jobIndex[job] = jobs.count
                    jobs.append(job)
                }
                derivativeJobs.append((entry.variant, jobIndex[job]!))
            }
        }
        let encoded = try encode(jobs, from: rendered)

        let derivatives = derivativeJobs.map { variant, index in
            let job = jobs[index]
            return ImageDerivative(variant: variant, format: job.encoding.format,
                                   width: job.size.width, height: job.size.height, bytes: encoded[index])
        }
        return PostProcessingResult(derivatives: derivatives, enhancement: applied)
    }

    /// The image at exactly `size`, kept in memory when it is a real resize (it feeds
    /// several encoders); the source itself when the size is unchanged.
    private func resize(_ source: VipsImageHandle, to size: PixelSize) throws(ImageProcessingError) -> VipsImageHandle {
        guard size.width != source.width || size.height != source.height else { return source }
        let resized = try source.resized(horizontalScale: Double(size.width) / Double(source.width),
                                         verticalScale: Double(size.height) / Double(source.height),
                                         kernel: VIPS_KERNEL_LANCZOS3)
        return try resized.copiedToMemory()
    }

    /// Encodes every job, on several threads when `parallelEncoding` is set; the results are
    /// in job order. The first failure (in job order) is thrown.
    private func encode(_ jobs: [EncodeJob], from rendered: [PixelSize: VipsImageHandle]) throws(ImageProcessingError) -> [Data] {
        let results = Mutex<[Result<Data, ImageProcessingError>?]>(Array(repeating: nil, count: jobs.count))
        let run = { @Sendable (index: Int) in
            let job = jobs[index]
            let outcome = Result { () throws(ImageProcessingError) -> Data in
                try rendered[job.size]!.encoded(job.encoding, label: label)
            }
            results.withLock { $0[index] = outcome }
        }
        if parallelEncoding && jobs.count > 1 {
            DispatchQueue.concurrentPerform(iterations: jobs.count, execute: run)
        } else {
            for index in jobs.indices { run(index) }
        }
        return try results.withLock { all throws(ImageProcessingError) -> [Data] in
            var data: [Data] = []
            for outcome in all { data.append(try outcome!.get()) }
            return data
        }
    }

    /// A width and height in pixels; derivatives of equal size share their rendered pixels.
    private struct PixelSize: Hashable, Sendable {
        let width: Int
        let height: Int
    }

    /// One encoder run: the rendered size and how to write it.
    private struct EncodeJob: Hashable, Sendable {
        let size: PixelSize
        let encoding: ImageEncoding
    }
}
