import Foundation
import ImagegenCore

/// What a signed manifest says about an image: made by imagegen (claim generator and
/// software agent, with its version), created by a trained model (IPTC
/// `trainedAlgorithmicMedia`, as in the XMP marking), which model through which provider, and
/// when. No prompt, no seed: the manifest is published with the image.
public struct ContentCredentialsClaim: Sendable, Equatable {
    public static let trainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

    public var model: String
    public var provider: String
    public var createdAt: Date

    public init(model: String, provider: String, createdAt: Date) {
        self.model = model
        self.provider = provider
        self.createdAt = createdAt
    }

    /// The manifest definition (c2pa-rs `ManifestDefinition` JSON) for an asset of `mimeType`.
    func definition(mimeType: String, title: String) throws(ContentCredentialsError) -> String {
        let agent: [String: Any] = ["name": "imagegen", "version": ImagegenVersion.current]
        let action: [String: Any] = [
            "action": "c2pa.created",
            "digitalSourceType": Self.trainedAlgorithmicMedia,
            "when": createdAt.formatted(Date.ISO8601FormatStyle()),
            "softwareAgent": agent,
            "parameters": ["model": model, "provider": provider],
        ]
        let manifest: [String: Any] = [
            "claim_generator_info": [agent],
            "title": title,
            "format": mimeType,
            "assertions": [["label": "c2pa.actions", "data": ["actions": [action]]]],
        ]
        do {
            return String(decoding: try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]), as: UTF8.self)
        } catch {
            throw .signing(format: mimeType, reason: "cannot encode the manifest definition: \(error)")
        }
    }
}
