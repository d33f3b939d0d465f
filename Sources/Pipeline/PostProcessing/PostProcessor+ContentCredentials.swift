import Foundation
import Catalog
import ContentCredentials
import Crypto
import ImagegenCore
import Imaging

extension PostProcessor {
    /// The derivatives as they will be published: with `labelling.c2pa` on, each one's final
    /// bytes (XMP marking already in) get a signed C2PA manifest naming the model, the provider
    /// and the original's generation time. Equal rendered bytes are signed once, so "publish"
    /// stays a hard link to "master" when they are the same image. Any failure fails the run:
    /// nothing is stored unsigned.
    func signed(_ derivatives: [ImageDerivative], of original: ImageRecord) throws(PostProcessingError) -> [ImageDerivative] {
        guard let signer else { return derivatives }
        let generated = try? Date(original.metadata.generatedAt, strategy: RecordTime.style)  // try?: a record whose time does not parse (none is written that way) is signed with the run's time
        let claim = ContentCredentialsClaim(model: original.model, provider: original.metadata.apiUsed, createdAt: generated ?? clock())
        var done: [String: Data] = [:]
        var result: [ImageDerivative] = []
        for derivative in derivatives {
            let digest = SHA256Digest.of(derivative.bytes).hex
            let bytes: Data
            if let known = done[digest] {
                bytes = known
            } else {
                do {
                    bytes = try signer.sign(derivative.bytes, mimeType: derivative.mimeType,
                                            title: "\(original.imageID)-\(derivative.variant).\(derivative.fileExtension)", claim: claim)
                } catch {
                    throw .signing(imageID: original.imageID, reason: "\(derivative.variant) \(derivative.format): \(error)")
                }
                done[digest] = bytes
            }
            result.append(ImageDerivative(variant: derivative.variant, format: derivative.format, width: derivative.width,
                                          height: derivative.height, bytes: bytes))
        }
        return result
    }
}
