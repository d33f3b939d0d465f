import Foundation
import ImagegenJSON
import ImagegenConfig

/// The `storage` section of the config: where finished images go in the cloud and how hard the
/// upload queue tries.
///
/// ```json5
/// storage: {
///   s3: { endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "renders",
///         prefix: "imagegen", path_style: false, credentials_file: "/etc/imagegen/s3-credentials" },
///   concurrency: 4, max_attempts: 8,
/// }
/// ```
/// Without a `storage` section the host is local-only (the embedded default): nothing is queued or
/// uploaded and nothing complains. Every key but `s3.bucket` has a default; an unknown key is an error
/// (a misspelt `bukcet` must not silently mean "no bucket").
package struct StorageConfiguration: Sendable, Equatable {
    package struct S3Settings: Sendable, Equatable {
        /// nil: AWS S3 in `region`.
        package var endpoint: URL?
        package var region = "us-east-1"
        package var bucket: String
        package var prefix = ""
        /// Path-style addressing (`endpoint/bucket/key`); defaults to true with a custom endpoint
        /// (MinIO, R2, B2, moto) and false on AWS.
        package var pathStyle: Bool
        /// A 0600 AWS-style credentials file, used when the environment has no `AWS_ACCESS_KEY_ID`.
        package var credentialsFile: String?
        package var profile = "default"
        package var multipartThresholdBytes = 16 * 1024 * 1024
        package var requestTimeoutSeconds = 60.0

        package init(endpoint: URL?, region: String = "us-east-1", bucket: String, prefix: String = "",
                    pathStyle: Bool? = nil, credentialsFile: String? = nil) {
            self.endpoint = endpoint
            self.region = region
            self.bucket = bucket
            self.prefix = prefix
            self.pathStyle = pathStyle ?? (endpoint != nil)
            self.credentialsFile = credentialsFile
        }
    }

    package var s3: S3Settings
    /// Uploads in flight at once.
    package var concurrency = 4
    /// Attempts per file (each attempt already retries 5xx/throttling a few times within itself)
    /// before the file is marked failed and an alert raised.
    package var maxAttempts = 8
    /// Wait before the second attempt; doubles per attempt up to `retryMaxSeconds`.
    package var retryBaseSeconds = 30.0
    package var retryMaxSeconds = 3600.0
    /// Also upload each image's sidecar JSON (`<image_id>.json`).
    package var sidecars = true
    /// Alert when the oldest pending upload has waited longer than this…
    package var alertPendingMinutes = 30.0
    /// …or more than this many uploads are pending.
    package var alertPendingCount = 500

    package init(s3: S3Settings) { self.s3 = s3 }

    static let keys = ["s3", "concurrency", "max_attempts", "retry_base_seconds", "retry_max_seconds", "sidecars",
                       "alert_pending_minutes", "alert_pending_count"]
    static let s3Keys = ["endpoint", "region", "bucket", "prefix", "path_style", "credentials_file", "profile",
                         "multipart_threshold_mb", "request_timeout_seconds"]

    /// The `storage` section of `configuration`, or nil when there is none (local-only mode).
    /// `file` names the config file in error messages.
    package static func load(from configuration: Configuration, file: String?) throws(ConfigurationError) -> StorageConfiguration? {
        guard let section = configuration.sections["storage"], !section.isNull else { return nil }
        return try parse(section, file: file ?? "(embedded defaults)")
    }

    package static func parse(_ section: JSONValue, file: String) throws(ConfigurationError) -> StorageConfiguration {
        let reader = ConfigSectionReader(file: file, path: "storage")
        let root = try reader.object(section)
        try reader.rejectUnknown(root, known: keys)
        guard let s3Value = root["s3"] else {
            throw .invalidValue(file: file, key: "storage.s3", detail: "missing: give at least s3.bucket (and endpoint/region "
                + "for a store other than AWS), or remove the storage section to stay local-only")
        }
        let s3Reader = ConfigSectionReader(file: file, path: "storage.s3")
        let s3Object = try s3Reader.object(s3Value)
        try s3Reader.rejectUnknown(s3Object, known: s3Keys)
        guard let bucket = try s3Reader.string(s3Object, "bucket"), !bucket.isEmpty else {
            throw .invalidValue(file: file, key: "storage.s3.bucket", detail: "missing: the bucket name is required")
        }
        var endpoint: URL?
        if let text = try s3Reader.string(s3Object, "endpoint") {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  url.host != nil else {
                throw .invalidValue(file: file, key: "storage.s3.endpoint",
                                    detail: "\"\(text)\" is not an http(s) URL; use e.g. https://s3.eu-west-1.amazonaws.com")
            }
            endpoint = url
        }
        var s3 = S3Settings(endpoint: endpoint, region: try s3Reader.string(s3Object, "region") ?? "us-east-1",
                            bucket: bucket, prefix: try s3Reader.string(s3Object, "prefix") ?? "",
                            pathStyle: try s3Reader.bool(s3Object, "path_style"),
                            credentialsFile: try s3Reader.string(s3Object, "credentials_file"))
        s3.profile = try s3Reader.string(s3Object, "profile") ?? s3.profile
        if let megabytes = try s3Reader.number(s3Object, "multipart_threshold_mb", minimum: 5) {
            s3.multipartThresholdBytes = Int(megabytes * 1024 * 1024)
        }
        s3.requestTimeoutSeconds = try s3Reader.number(s3Object, "request_timeout_seconds", minimum: 1) ?? s3.requestTimeoutSeconds
        var storage = StorageConfiguration(s3: s3)
        storage.concurrency = try reader.integer(root, "concurrency", range: 1...64) ?? storage.concurrency
        storage.maxAttempts = try reader.integer(root, "max_attempts", range: 1...1000) ?? storage.maxAttempts
        storage.retryBaseSeconds = try reader.number(root, "retry_base_seconds", minimum: 0) ?? storage.retryBaseSeconds
        storage.retryMaxSeconds = try reader.number(root, "retry_max_seconds", minimum: 0) ?? storage.retryMaxSeconds
        storage.sidecars = try reader.bool(root, "sidecars") ?? storage.sidecars
        storage.alertPendingMinutes = try reader.number(root, "alert_pending_minutes", minimum: 0) ?? storage.alertPendingMinutes
        storage.alertPendingCount = try reader.integer(root, "alert_pending_count", range: 1...Int.max) ?? storage.alertPendingCount
        return storage
    }

    /// The client settings: AWS when no endpoint is given, path-style per `path_style`.
    package func s3Configuration() -> S3Configuration {
        var configuration = s3.endpoint.map {
            S3Configuration(endpoint: $0, region: s3.region, bucket: s3.bucket)
        } ?? .aws(region: s3.region, bucket: s3.bucket)
        configuration.addressing = s3.pathStyle ? .path : .virtualHosted
        configuration.keyPrefix = s3.prefix
        configuration.multipartThreshold = s3.multipartThresholdBytes
        configuration.requestTimeout = s3.requestTimeoutSeconds
        return configuration
    }

    /// A client for the configured bucket (or `bucket` instead, e.g. a backup destination), with
    /// credentials from the environment or the credentials file.
    package func makeClient(bucket: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                           retryObserver: S3Client.RetryObserver? = nil) throws(StorageClientError) -> S3Client {
        let credentials: AWSCredentials
        do {
            credentials = try S3CredentialsSource.resolve(environment: environment, file: s3.credentialsFile, profile: s3.profile)
        } catch {
            throw .credentials(error)
        }
        var configuration = s3Configuration()
        if let bucket { configuration.bucket = bucket }
        do {
            return try S3Client(configuration: configuration, credentials: credentials, retryObserver: retryObserver)
        } catch {
            throw .configuration(error)
        }
    }
}

/// Why an S3 client could not be made from the storage configuration.
package enum StorageClientError: Error, Sendable, CustomStringConvertible {
    case credentials(S3CredentialsError)
    case configuration(S3Error)

    package var description: String {
        switch self {
        case .credentials(let error): return error.description
        case .configuration(let error): return error.description
        }
    }
}
