import Foundation
import Catalog
import CloudStorage
import Crypto

/// Checks that every file the queue marked uploaded is still in the bucket with the bytes it was
/// uploaded with (HEAD: size, and the SHA-256 checksum or our `content-sha256` metadata).
///
/// With `repair`, a missing or different object's row goes back to pending, so the worker (or
/// `storage sync`) uploads it again from the local file.
package struct UploadVerifier: Sendable {
    let queue: UploadQueue
    let client: S3Client
    let concurrency: Int

    package init(queue: UploadQueue, client: S3Client, concurrency: Int = 4) {
        self.queue = queue
        self.client = client
        self.concurrency = max(1, concurrency)
    }

    package func verify(repair: Bool = false, now: @escaping @Sendable () -> Date = { Date() },
                       progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> UploadVerifyReport {
        let items = try queue.items(state: .uploaded, limit: Int.max)
        var report = UploadVerifyReport(checked: items.count)
        await withTaskGroup(of: (UploadItem, UploadVerifyReport.Problem?).self) { group in
            var next = items.makeIterator()
            var running = 0
            var done = 0
            func addNext() -> Bool {
                guard let item = next.next() else { return false }
                group.addTask { (item, await check(item)) }
                return true
            }
            while running < concurrency, addNext() { running += 1 }
            while let (item, problem) = await group.next() {
                running -= 1
                done += 1
                if let problem {
                    report.problems.append(problem)
                    if repair, problem.kind != .error {
                        do {
                            try queue.requeue(id: item.id, reason: "verify: \(problem.detail)", now: now())
                            report.requeued += 1
                        } catch {
                            report.problems.append(.init(filePath: item.filePath, key: problem.key, kind: .error,
                                                         detail: "could not queue it again: \(error)"))
                        }
                    }
                }
                progress?(done, items.count)
                if addNext() { running += 1 }
            }
        }
        report.problems.sort { $0.filePath < $1.filePath }
        return report
    }

    func check(_ item: UploadItem) async -> UploadVerifyReport.Problem? {
        guard let key = item.objectKey, let hex = item.sha256, let sha = SHA256Digest(hex: hex), let bytes = item.bytes else {
            return .init(filePath: item.filePath, key: item.objectKey ?? "", kind: .error,
                         detail: "the queue row has no key or checksum recorded")
        }
        let expected = LocalFileDigest(path: item.filePath, size: bytes, sha256: sha)
        do throws(S3Error) {
            guard let info = try await client.headObject(key: key) else {
                return .init(filePath: item.filePath, key: key, kind: .missing, detail: "no object s3://\(client.configuration.bucket)/\(key)")
            }
            switch info.comparison(with: expected) {
            case .identical: return nil
            case .different(let reason): return .init(filePath: item.filePath, key: key, kind: .different, detail: reason)
            case .unknown:
                return .init(filePath: item.filePath, key: key, kind: .different,
                             detail: "the stored object has neither a SHA-256 checksum nor content-sha256 metadata")
            }
        } catch {
            return .init(filePath: item.filePath, key: key, kind: .error, detail: error.description)
        }
    }
}

/// What `storage verify` found.
package struct UploadVerifyReport: Sendable, Equatable, Encodable {
    package struct Problem: Sendable, Equatable, Encodable {
        package enum Kind: String, Sendable, Encodable { case missing, different, error }
        package var filePath: String
        package var key: String
        package var kind: Kind
        package var detail: String
        enum CodingKeys: String, CodingKey {
            case key, kind, detail
            case filePath = "file_path"
        }
    }

    package var checked: Int
    package var problems: [Problem] = []
    /// Rows sent back to pending (`repair`).
    package var requeued = 0

    package var missing: [Problem] { problems.filter { $0.kind == .missing } }
    package var different: [Problem] { problems.filter { $0.kind == .different } }
    package var errors: [Problem] { problems.filter { $0.kind == .error } }
    package var isClean: Bool { problems.isEmpty }
}
