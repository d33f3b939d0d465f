import ContentCredentials
import Foundation
import Imaging

/// `ImagingBenchmark c2pa INPUT ITERATIONS` with C2PA_CHAIN and C2PA_KEY (PEM files) in the
/// environment: the cost of signing the published derivatives of INPUT (default profile, XMP
/// marking in) with a C2PA manifest — the master JPEG alone, and every derivative of the image.
func runC2PASigning(_ options: Options) {
    let environment = ProcessInfo.processInfo.environment
    guard let chain = environment["C2PA_CHAIN"], let key = environment["C2PA_KEY"] else {
        fail("c2pa mode needs C2PA_CHAIN and C2PA_KEY (PEM files); Benchmarks/imaging/c2pa.sh makes a test pair")
    }
    let iterations = max(1, options.numbers.first ?? 20)
    let settings = C2PASettings(certificate: chain, privateKey: .file(key), algorithm: .es256, library: environment["C2PA_LIBRARY"])
    let startup = DispatchTime.now().uptimeNanoseconds
    let signer: ContentCredentialsSigner
    do { signer = try ContentCredentialsSigner.open(settings, file: nil) { _ in nil } } catch { fail("\(error)") }
    let openMs = milliseconds(since: startup)
    let workshop = options.workshop()
    let image = try! workshop.verify(options.input)
    let label = ProvenanceLabel(model: "benchmark", provider: "benchmark/provider")
    let derivatives = try! workshop.process(image, profile: ImagingProfile(), label: label).derivatives
    guard let master = derivatives.first(where: { $0.format == .jpeg }) else { fail("the profile made no JPEG") }
    let claim = ContentCredentialsClaim(model: "benchmark", provider: "benchmark/provider", createdAt: Date())
    func sign(_ d: ImageDerivative) -> Data {
        try! signer.sign(d.bytes, mimeType: d.mimeType, title: "bench.\(d.fileExtension)", claim: claim)
    }
    _ = sign(master)  // warm-up
    let cpuBefore = cpuMilliseconds()
    let jpeg = summary(timed(iterations) { _ = sign(master) })
    let jpegCPU = (cpuMilliseconds() - cpuBefore) / Double(iterations)
    let all = summary(timed(max(1, iterations / 4)) { for d in derivatives { _ = sign(d) } })
    let signed = sign(master)
    emit(["impl": "swift+libc2pa_c", "mode": "c2pa", "iterations": iterations, "c2pa_rs": signer.libraryVersion,
          "open_and_probe_ms": openMs,
          "jpeg_width": master.width, "jpeg_height": master.height, "jpeg_bytes": master.byteCount,
          "sign_jpeg_median_ms": jpeg.median, "sign_jpeg_min_ms": jpeg.min, "sign_jpeg_max_ms": jpeg.max,
          "sign_jpeg_cpu_ms": jpegCPU, "manifest_bytes_added": signed.count - master.byteCount,
          "derivatives": derivatives.count, "sign_all_derivatives_median_ms": all.median,
          "peak_rss_mib": peakRSSMiB()])
}
