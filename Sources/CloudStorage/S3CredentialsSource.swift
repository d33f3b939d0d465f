import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where S3 credentials come from: the environment first (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// optional `AWS_SESSION_TOKEN`), then a credentials file that only its owner may read (mode 0600).
///
/// The file uses the AWS shared-credentials format, so an existing `~/.aws/credentials` works:
/// ```
/// [default]
/// aws_access_key_id = AKIA…
/// aws_secret_access_key = …
/// aws_session_token = …      (optional)
/// ```
/// Lines before any section header belong to `default`. A file readable by group or others is refused
/// rather than silently used: a leaked secret is worse than a failed upload.
package enum S3CredentialsSource {
    package static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(S3CredentialsError) -> AWSCredentials? {
        let id = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case (nil, nil): return nil
        case (nil, _): throw .incompleteEnvironment(missing: "AWS_ACCESS_KEY_ID")
        case (_, nil): throw .incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")
        case let (id?, secret?):
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
        }
    }

    package static func fromFile(at path: String, profile: String = "default") throws(S3CredentialsError) -> AWSCredentials {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile(path: path) }
        if info.st_mode & 0o077 != 0 {
            throw .fileTooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadableFile(path: path, reason: "not readable as UTF-8 text")
        }
        let fields = try parse(text, profile: profile, path: path)
        guard let id = fields["aws_access_key_id"], !id.isEmpty else {
            throw .missingField(path: path, profile: profile, field: "aws_access_key_id")
        }
        guard let secret = fields["aws_secret_access_key"], !secret.isEmpty else {
            throw .missingField(path: path, profile: profile, field: "aws_secret_access_key")
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: fields["aws_session_token"])
    }

    /// Environment first, then the file (if given and present), else `.notConfigured`.
    package static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               file: String?, profile: String = "default") throws(S3CredentialsError) -> AWSCredentials {
        if let credentials = try fromEnvironment(environment) { return credentials }
        if let file, FileManager.default.fileExists(atPath: file) {
            return try fromFile(at: file, profile: profile)
        }
        throw .notConfigured(file: file)
    }

    private static func parse(_ text: String, profile: String, path: String) throws(S3CredentialsError) -> [String: String] {
        var section = "default"
        var sawProfile = false
        var fields: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if section.hasPrefix("profile ") { section = String(section.dropFirst("profile ".count)) }
                if section == profile { sawProfile = true }
                continue
            }
            guard section == profile, let equals = line.firstIndex(of: "=") else { continue }
            sawProfile = true
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            fields[name] = value
        }
        guard sawProfile else { throw .profileNotFound(path: path, profile: profile) }
        return fields
    }
}
