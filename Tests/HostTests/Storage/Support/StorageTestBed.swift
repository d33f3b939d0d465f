import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import CloudStorage
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Operations

/// A throw-away host (Preview plugin) whose config points `storage` at a moto bucket, plus the
/// pieces the storage tests assemble: a client (optionally through a fault proxy), the catalog's
/// upload queue and a worker with fast, bounded settings.
final class StorageTestBed {
    let moto: MotoS3Server
    let bucket: String
    let host: TestHost
    let alerts = AlertCollector()

    /// - Parameter postProcessing: render derivatives of each generated image (off by default, so
    ///   counts in these tests are of provider outputs and their sidecars).
    init(moto: MotoS3Server, label: String, prefix: String = "renders", extraConfig: String = "",
         postProcessing: Bool = false) async throws {
        self.moto = moto
        bucket = MotoS3Server.uniqueBucketName()
        host = try TestHost(label: label, config: """
            { storage: { s3: { endpoint: "\(moto.endpoint.absoluteString)", region: "us-east-1", bucket: "\(bucket)",
                               prefix: "\(prefix)" }, max_attempts: 3 },
              imaging: { postProcessing: { automatic: \(postProcessing) } }\(extraConfig) }
            """)
        try await client().createBucket()
    }

    var dataDirectory: String { host.paths.data }

    func storage() throws -> StorageConfiguration {
        let configuration = try Configuration.load(path: host.paths.config)
        return try XCTUnwrap(try StorageConfiguration.load(from: configuration, file: host.paths.config))
    }

    /// A client for the test bucket; `endpoint` routes it through a proxy, `credentials` overrides the key.
    func client(endpoint: URL? = nil, credentials: AWSCredentials? = nil,
                _ configure: (inout S3Configuration) -> Void = { _ in }) throws -> S3Client {
        var configuration = try storage().s3Configuration()
        configuration.endpoint = endpoint ?? moto.endpoint
        configuration.requestTimeout = 10
        configuration.retryPolicy = S3RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        configure(&configuration)
        return try S3Client(configuration: configuration, credentials: credentials ?? moto.credentials)
    }

    func queue() throws -> UploadQueue { try UploadQueue(catalog: host.catalog()) }

    func settings(concurrency: Int = 4, maxAttempts: Int = 3) -> UploadWorkerSettings {
        var settings = UploadWorkerSettings(concurrency: concurrency,
                                            retry: UploadRetrySchedule(baseSeconds: 60, maxSeconds: 600, maxAttempts: maxAttempts),
                                            backlogCount: 1000, backlogAge: 3600)
        settings.pollInterval = .milliseconds(50)
        return settings
    }

    func worker(client: S3Client, queue: UploadQueue? = nil, settings: UploadWorkerSettings? = nil) throws -> UploadWorker {
        UploadWorker(queue: try queue ?? self.queue(), client: client, dataDirectory: dataDirectory,
                     settings: settings ?? self.settings(), log: host.log, alerts: alerts.handler)
    }

    /// Generates `count` images through the real pipeline (Preview) and returns their records.
    func generate(_ count: Int = 1, prompt: String = "a red teapot on a wooden table") async throws -> [ImageRecord] {
        let generator = try host.generator()
        let records = try await generator.generateCustom(prompt: prompt, parameters: GenerationParameters(width: 64, height: 64, seed: 7),
                                                         variations: count)
        await generator.shutdown()
        return records
    }

    /// Polls `condition` every 20 ms for up to `seconds` (a bound, not a timing assertion).
    static func waitUntil(seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }
}

/// Collects the alerts a worker raises.
final class AlertCollector: Sendable {
    private let received = Mutex<[UploadAlert]>([])
    var alerts: [UploadAlert] { received.withLock { $0 } }
    var handler: UploadAlertHandler { { [self] alert in received.withLock { $0.append(alert) } } }
}
