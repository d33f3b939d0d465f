import Foundation
import Catalog
import ImagegenCore
import Imaging
import Pipeline

/// Stores the perceptual hash of every original as it is stored (an `ImageStoredHooks`
/// observer), so a takedown finds near-identical copies without decoding the whole library.
///
/// The hash is a second commit after the image's row: a kill between the two leaves an image
/// without a hash, which the takedown's backfill hashes before matching (nothing is missed, it is
/// only slower). A failure is logged, never fails the job that made the image.
public enum FingerprintRecorder {
    public static func attach(to service: GenerationService, catalog: any TakedownStore) throws {
        guard let workshop = service.imaging else { return }
        try catalog.prepareTakedowns()
        let log = service.runtime.log
        service.imageStored.add { event in
            guard event.record.variant == "original" else { return }
            do {
                // The storing step hashes its own decode; only an image announced without one
                // (a resumed job's committed output) is read and decoded again here.
                let hash: PerceptualHash
                if let known = event.perceptualHash {
                    hash = known
                } else {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: event.imagePath))
                    hash = try workshop.perceptualHash(of: bytes, declaredMIMEType: event.record.mime)
                }
                try catalog.recordFingerprint(imageID: event.record.imageID, hash: hash)
            } catch {
                log.warning("cannot store the perceptual hash of \(event.record.imageID) (a takedown hashes it then): \(error)",
                            source: "takedown")
            }
        }
    }
}
