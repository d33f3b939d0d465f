import Foundation

/// Everything needed to upload one stored image file: which local file, which object key, which
/// content type and which metadata. An upload queue row can hold these fields; a worker hands the
/// plan to `S3Client.uploadIfChanged(_:)`.
package struct UploadPlan: Sendable, Hashable {
    package let localPath: String
    package let key: ObjectKey
    package let contentType: String
    package let metadata: S3ObjectMetadata

    package init(localPath: String, key: ObjectKey, contentType: String, metadata: S3ObjectMetadata) {
        self.localPath = localPath
        self.key = key
        self.contentType = contentType
        self.metadata = metadata
    }

    /// The plan for an image stored at `localPath` (under the content root): the key mirrors the
    /// path relative to `contentRoot`, the content type follows the extension, the metadata comes
    /// from the image's catalog fields.
    package init(localPath: String, contentRoot: String, prefix: String, image: ImageObjectMetadata) throws(UploadPlanError) {
        let root = contentRoot.hasSuffix("/") ? contentRoot : contentRoot + "/"
        guard localPath.hasPrefix(root) else { throw .outsideContentRoot(path: localPath, root: contentRoot) }
        let relative = String(localPath.dropFirst(root.count))
        do {
            key = try ObjectKey(prefix: prefix, contentRelativePath: relative)
        } catch {
            throw .key(error)
        }
        self.localPath = localPath
        contentType = ImageContentType.forFileExtension((relative as NSString).pathExtension)
        do {
            metadata = try image.objectMetadata()
        } catch {
            throw .metadata(error)
        }
    }
}

/// Why an upload plan could not be made.
package enum UploadPlanError: Error, Sendable, Hashable, CustomStringConvertible {
    case outsideContentRoot(path: String, root: String)
    case key(ObjectKeyError)
    case metadata(S3ObjectMetadataError)

    package var description: String {
        switch self {
        case let .outsideContentRoot(path, root): return "\(path) is not under the content root \(root)"
        case let .key(error): return error.description
        case let .metadata(error): return error.description
        }
    }
}
