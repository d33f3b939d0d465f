import Foundation
import Catalog
import ContentCredentials
import Crypto
import DurableFiles
import ImagegenCore
import Imaging

/// Renders and stores the derivatives of one original: the one place where a post-processing
/// run happens, whoever asked for it (the background queue, `imagegen process`, a plan's
/// maintenance slot).
///
/// A run: take the next run number → read the original and check it against its catalog
/// checksum → decode (the same input checks as a provider's bytes) → render the profile's
/// sizes and formats → score each derivative → write the files beside the original (atomic,
/// one folder sync) → commit every derivative row and the run as done in one transaction →
/// announce each derivative (cloud upload). The original's bytes are only read.
///
/// Blocking (libvips and fsync): call it from `BlockingWork` or a plain thread, never hold the
/// cooperative pool with it.
public struct PostProcessor: Sendable {
    public let workshop: ImageWorkshop
    /// The catalog the run reads its original from and commits its derivatives to.
    public let store: PostProcessingCatalog
    public let content: ContentStore
    let imageStored: ImageStoredHooks?
    let clock: @Sendable () -> Date
    /// Signs each derivative's final bytes (after the XMP marking) when `labelling.c2pa` is on.
    public let signer: ContentCredentialsSigner?

    public var settings: PostProcessingSettings { workshop.configuration.postProcessing }

    public init(workshop: ImageWorkshop, store: PostProcessingCatalog, content: ContentStore,
                imageStored: ImageStoredHooks? = nil, clock: @escaping @Sendable () -> Date = { Date() },
                signer: ContentCredentialsSigner? = nil) {
        self.signer = signer
        self.workshop = workshop
        self.store = store
        self.content = content
        self.imageStored = imageStored
        self.clock = clock
    }

    /// The processor of a host: its imaging, catalog, content folder and stored-image observers.
    public init(service: GenerationService, catalog: PostProcessingCatalog) throws {
        guard let workshop = service.imaging else {
            throw PostProcessingError.imagingUnavailable(reason: "libvips could not start; see the log at start-up")
        }
        // Never silently unsigned: a host whose config asks for C2PA signing has a signer.
        let wantsSigning: Bool
        do {
            wantsSigning = try C2PASettings.load(from: service.runtime.configuration, file: service.runtime.paths.config) != nil
        } catch {
            wantsSigning = true  // a section that does not parse is not a "no"
        }
        if wantsSigning && service.contentCredentials == nil { throw PostProcessingError.signerMissing }
        self.init(workshop: workshop, store: catalog, content: service.content,
                  imageStored: service.imageStored, clock: service.clock, signer: service.contentCredentials)
    }

    /// One run for `imageID` with `profile` (default: its category's profile). Returns nil when
    /// `trigger` is automatic or maintenance and the image needs nothing (already processed, or
    /// out of attempts). A failed run is recorded with its reason, then thrown.
    public func process(imageID: String, profile: String? = nil,
                        trigger: PostProcessingTrigger) throws(PostProcessingError) -> ProcessedImage? {
        let original = try loadOriginal(imageID)
        let configuration = workshop.configuration
        let profileName = profile ?? configuration.profileName(forCategory: original.category)
        let imagingProfile: ImagingProfile
        do {
            imagingProfile = try configuration.profile(named: profileName)
        } catch {
            throw .processing(imageID: imageID, error)
        }
        let started = clock()
        let run: Int
        switch try store.beginRun(imageID: imageID, profile: profileName, trigger: trigger,
                                  maxAttempts: settings.maxAttempts, now: started) {
        case .skipped:
            return nil
        case let .started(number, abandoned):
            run = number
            for old in abandoned { removeFiles(of: original, run: old) }
        }
        do {
            return try render(original, run: run, profileName: profileName, profile: imagingProfile,
                              trigger: trigger, started: started)
        } catch {
            store.failRun(imageID: imageID, run: run, error: error, now: clock())
            throw error
        }
    }

    private func loadOriginal(_ imageID: String) throws(PostProcessingError) -> ImageRecord {
        let catalog = store
        let found: ImageRecord?
        do {
            found = try catalog.image(imageID)
        } catch {
            throw .catalog(imageID: imageID, reason: "\(error)")
        }
        guard let found else { throw .unknownImage(imageID) }
        guard found.variant == "original" else {
            throw .notAnOriginal(id: imageID, variant: found.variant, parent: found.parentID)
        }
        guard found.status == ImageRecord.completed else { throw .heldBack(imageID: imageID, status: found.status) }
        // Derivative rows carry the prompt (sealed under their own id): it must really open.
        do {
            return try catalog.image(revealingPrompts: imageID) ?? found
        } catch {
            throw .locked(imageID: imageID, reason: "\(error)")
        }
    }

    private func render(_ original: ImageRecord, run: Int, profileName: String, profile: ImagingProfile,
                        trigger: PostProcessingTrigger, started: Date) throws(PostProcessingError) -> ProcessedImage {
        let id = original.imageID
        let path = content.absolute(original.filePath)
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw .originalMissing(imageID: id, path: original.filePath)
        }
        if !original.contentSHA256.isEmpty && SHA256Digest.of(bytes).hex != original.contentSHA256 {
            throw .originalChanged(imageID: id, path: original.filePath)
        }
        let image: VerifiedImage
        do {
            image = try workshop.verify(bytes, declaredMIMEType: original.mime)
        } catch {
            throw .unreadableOriginal(imageID: id, reason: "\(error)")
        }
        // Every derivative is what gets published: each carries the AI marking (EU AI Act Art. 50).
        let label = ProvenanceLabel(model: original.model, provider: original.metadata.apiUsed)
        let rendered: PostProcessingResult
        do {
            rendered = try workshop.process(image, profile: profile, label: label)
        } catch {
            throw .processing(imageID: id, error)
        }
        let derivatives = try signed(rendered.derivatives, of: original)
        let folder = (original.filePath as NSString).deletingLastPathComponent
        let digests = derivatives.map { SHA256Digest.of($0.bytes).hex }
        // Equal bytes score equally: "publish" of an image under 1080 px is the master again.
        var scores: [String: QualityReport?] = [:]
        let qualities = zip(derivatives, digests).map { derivative, digest -> QualityReport? in
            guard settings.scoreDerivatives else { return nil }
            if let known = scores[digest] { return known }
            let report = score(derivative)
            scores[digest] = report
            return report
        }
        let finished = clock()
        let records = derivatives.indices.map { i in
            derivativeRecord(derivatives[i], of: original, run: run, profileName: profileName,
                             filePath: folder + "/" + DerivativeName.fileName(original: id, run: run, variant: derivatives[i].variant,
                                                                              format: derivatives[i].format),
                             contentSHA256: digests[i], quality: qualities[i], seconds: finished.timeIntervalSince(started), at: finished)
        }
        do {
            // Equal bytes are stored once: "publish" of an image under 1080 px is a hard link to
            // the master (each keeps its own name, row and upload).
            var stored: [String: String] = [:]
            for (index, (derivative, record)) in zip(derivatives, records).enumerated() {
                let path = content.absolute(record.filePath)
                if let twin = stored[digests[index]], AtomicFile.link(twin, to: path, syncDirectory: false) { continue }
                try AtomicFile.write(derivative.bytes, to: path, syncDirectory: false)
                stored[digests[index]] = path
            }
        } catch {
            throw .storage(imageID: id, reason: error.description)
        }
        AtomicFile.syncDirectory(content.absolute(folder))
        CrashPoint.whilePostProcessing.hit()
        // The derivative rows keep the original's provenance for good: a failed read fails the run
        // (recorded, and retried like any failed run) rather than committing rows without it.
        let provenance: (pluginID: String?, providerModel: String?)
        do {
            provenance = try store.provenance(of: id)
        } catch {
            throw .catalog(imageID: id, reason: "cannot read the original's provider: \(error)")
        }
        try store.completeRun(imageID: id, run: run, derivatives: records, pluginID: provenance.pluginID,
                              providerModel: provenance.providerModel, enhancement: rendered.enhancement, now: finished)
        for record in records {
            imageStored?.notify(ImageStoredEvent(record: record, dataDirectory: content.dataDirectory))
        }
        let summary = PostProcessingRun(imageID: id, run: run, profile: profileName, trigger: trigger, state: .done,
                                        derivativeCount: records.count, enhancement: rendered.enhancement, error: nil,
                                        startedAt: started, finishedAt: finished)
        return ProcessedImage(original: original, run: summary, derivatives: records)
    }

    /// The quality report of a derivative as it will be seen: decoded from its encoded bytes, at
    /// the score's analysis scale (`ImageWorkshop.scoreDerivative`).
    private func score(_ derivative: ImageDerivative) -> QualityReport? {
        try? workshop.scoreDerivative(derivative)  // try?: the score is advisory (nil = not scored); the derivative was rendered from a verified original
    }

    private func derivativeRecord(_ d: ImageDerivative, of original: ImageRecord, run: Int, profileName: String,
                                  filePath: String, contentSHA256: String, quality: QualityReport?, seconds: Double,
                                  at: Date) -> ImageRecord {
        var parameters = original.parameters
        parameters.width = d.width
        parameters.height = d.height
        return ImageRecord(
            imageID: DerivativeName.imageID(original: original.imageID, run: run, variant: d.variant, format: d.format),
            prompt: original.prompt, negativePrompt: original.negativePrompt, model: original.model, parameters: parameters,
            category: original.category, tags: original.tags, filePath: filePath,
            metadata: .init(generatedAt: RecordTime.iso(at), apiUsed: original.metadata.apiUsed, cost: nil,
                            processingTime: seconds),
            status: ImageRecord.completed, version: run, parentID: original.imageID, variant: d.variant,
            contentSHA256: contentSHA256, jobID: original.jobID, mime: d.mimeType, bytes: d.byteCount,
            qualityScore: quality?.score, quality: quality,
            extra: ["imaging_profile": profileName, "post_processing_run": String(run)]
                .merging(signer.map { ["content_credentials": "c2pa \($0.algorithm.rawValue)"] } ?? [:]) { $1 })
    }

    /// Removes what a run abandoned by a dead process may have written (its rows never committed).
    private func removeFiles(of original: ImageRecord, run: Int) {
        let folder = content.absolute((original.filePath as NSString).deletingLastPathComponent)
        let prefix = DerivativeName.runPrefix(original: original.imageID, run: run)
        // try?: best-effort cleanup of files no committed row refers to; a new run uses new names, so a leftover only wastes space
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }
}

/// What one post-processing run stored: the run and its derivative records, in profile order.
public struct ProcessedImage: Sendable {
    public let original: ImageRecord
    public let run: PostProcessingRun
    public let derivatives: [ImageRecord]
}
