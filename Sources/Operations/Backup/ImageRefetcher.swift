import Foundation
import Catalog
import CloudStorage
import Pipeline

/// After a restore, brings back image files that are in the catalog but not on disk, from the
/// cloud copy the upload queue recorded (object key per file), and rebuilds missing sidecars from
/// the catalog rows (the catalog is their source).
package struct ImageRefetcher: Sendable {
    package let dataDirectory: String
    /// nil: no cloud storage configured; missing files are only counted.
    package let client: S3Client?
    package let concurrency: Int

    package init(dataDirectory: String, client: S3Client?, concurrency: Int = 4) {
        self.dataDirectory = dataDirectory
        self.client = client
        self.concurrency = max(1, concurrency)
    }

    package func run(catalog: any CatalogStore & ImageFileStore & UploadQueueStore) async throws -> ImageRefetchReport {
        let images = try catalog.imageFiles()
        // The restored catalog is read as it is: a host without cloud storage never created the queue.
        let keys = try catalog.uploadedObjectKeys()
        var report = ImageRefetchReport(images: images.count)
        var work: [(id: String, path: String, sha: String, key: String)] = []
        for image in images {
            let id = image.imageID, path = image.filePath
            if FileManager.default.fileExists(atPath: dataDirectory + "/" + path) {
                report.present += 1
            } else if let key = keys[path], client != nil {
                work.append((id, path, image.sha256, key))
            } else {
                report.missing.append(.init(imageID: id, filePath: path,
                    reason: client == nil ? "no cloud storage is configured" : "it was never uploaded"))
            }
        }
        if let client {
            await withTaskGroup(of: (String, String, String?).self) { group in
                var next = work.makeIterator()
                var running = 0
                func addNext() -> Bool {
                    guard let item = next.next() else { return false }
                    group.addTask { (item.id, item.path, await fetch(item.path, key: item.key, sha256: item.sha, client: client)) }
                    return true
                }
                while running < concurrency, addNext() { running += 1 }
                while let (id, path, failure) = await group.next() {
                    running -= 1
                    if let failure {
                        report.missing.append(.init(imageID: id, filePath: path, reason: failure))
                    } else {
                        report.fetched += 1
                    }
                    if addNext() { running += 1 }
                }
            }
        }
        report.missing.sort { $0.filePath < $1.filePath }
        report.sidecarsRebuilt = try rebuildSidecars(catalog: catalog)
        return report
    }

    /// Downloads one file; nil on success, else why not.
    func fetch(_ path: String, key: String, sha256: String, client: S3Client) async -> String? {
        let local = dataDirectory + "/" + path
        do {
            try FileManager.default.createDirectory(atPath: (local as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
        } catch {
            return "cannot create its folder (\(error.localizedDescription))"
        }
        do throws(S3Error) {
            let digest = try await client.downloadObject(key: key, to: local)
            if !sha256.isEmpty, digest.hex != sha256.lowercased() {
                // try?: removing the bad download; the checksum mismatch below is the reported error
                try? FileManager.default.removeItem(atPath: local)
                return "the cloud copy's SHA-256 \(digest.hex) differs from the catalog's \(sha256)"
            }
            return nil
        } catch {
            return error.description
        }
    }

    /// Writes the sidecar of every original whose file is present and whose sidecar is not. A
    /// catalog read or sidecar write that fails throws: running the refetch again is safe (present
    /// files are kept, and only missing sidecars are written).
    func rebuildSidecars(catalog: any CatalogStore & ImageFileStore) throws -> Int {
        let content = ContentStore(dataDirectory: dataDirectory)
        var rebuilt = 0
        for id in try catalog.imageFiles().map(\.imageID) {
            // Only originals have sidecars (derivatives are described by their rows).
            guard let record = try catalog.image(id), record.variant == "original",
                  FileManager.default.fileExists(atPath: content.absolute(record.filePath)),
                  !FileManager.default.fileExists(atPath: content.absolute(content.sidecarPath(for: record.filePath)))
            else { continue }
            try content.writeSidecar(record)
            rebuilt += 1
        }
        return rebuilt
    }
}

/// What `ImageRefetcher` did.
package struct ImageRefetchReport: Sendable, Equatable, Encodable {
    package struct Missing: Sendable, Equatable, Encodable {
        package var imageID: String
        package var filePath: String
        package var reason: String
        enum CodingKeys: String, CodingKey {
            case reason
            case imageID = "image_id", filePath = "file_path"
        }
    }

    /// Image rows in the catalog.
    package var images: Int
    /// Files that were already on disk.
    package var present = 0
    /// Files downloaded from the cloud copy.
    package var fetched = 0
    /// Files neither on disk nor fetched, with why.
    package var missing: [Missing] = []
    package var sidecarsRebuilt = 0

    enum CodingKeys: String, CodingKey {
        case images, present, fetched, missing
        case sidecarsRebuilt = "sidecars_rebuilt"
    }
}
