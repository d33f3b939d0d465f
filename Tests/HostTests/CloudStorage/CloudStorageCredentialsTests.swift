import Foundation
import XCTest
@testable import Host
@testable import CloudStorage

final class CloudStorageCredentialsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("s3-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func writeFile(_ text: String, mode: Int) throws -> String {
        let path = directory.appendingPathComponent("credentials").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func testEnvironmentCredentialsWithOptionalToken() throws {
        let plain = try S3CredentialsSource.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sec"])
        XCTAssertEqual(plain, AWSCredentials(accessKeyID: "AKID", secretAccessKey: "sec"))
        let temporary = try S3CredentialsSource.fromEnvironment(
            ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sec", "AWS_SESSION_TOKEN": "tok"])
        XCTAssertEqual(temporary?.sessionToken, "tok")
        XCTAssertNil(try S3CredentialsSource.fromEnvironment([:]))
    }

    func testHalfConfiguredEnvironmentNamesTheMissingVariable() {
        XCTAssertThrowsError(try S3CredentialsSource.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"])) { error in
            XCTAssertEqual(error as? S3CredentialsError, .incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY"))
        }
    }

    func testFileWithMode600IsRead() throws {
        let path = try writeFile("""
            # comment
            [other]
            aws_access_key_id = OTHER
            aws_secret_access_key = othersecret
            [default]
            aws_access_key_id = AKIDFILE
            aws_secret_access_key = filesecret
            aws_session_token = filetoken
            """, mode: 0o600)
        let credentials = try S3CredentialsSource.fromFile(at: path)
        XCTAssertEqual(credentials, AWSCredentials(accessKeyID: "AKIDFILE", secretAccessKey: "filesecret", sessionToken: "filetoken"))
        XCTAssertEqual(try S3CredentialsSource.fromFile(at: path, profile: "other").accessKeyID, "OTHER")
    }

    func testGroupOrWorldReadableFileIsRefusedWithChmodAdvice() throws {
        let path = try writeFile("[default]\naws_access_key_id = A\naws_secret_access_key = topsecret\n", mode: 0o644)
        XCTAssertThrowsError(try S3CredentialsSource.fromFile(at: path)) { error in
            XCTAssertEqual(error as? S3CredentialsError, .fileTooOpen(path: path, mode: "644"))
            let message = String(describing: error)
            XCTAssertTrue(message.contains(path))
            XCTAssertTrue(message.contains("chmod 600 \(path)"))
            XCTAssertFalse(message.contains("topsecret"))
        }
    }

    func testMissingFieldsAndProfilesAreNamed() throws {
        let path = try writeFile("[default]\naws_access_key_id = A\n", mode: 0o600)
        XCTAssertThrowsError(try S3CredentialsSource.fromFile(at: path)) { error in
            XCTAssertEqual(error as? S3CredentialsError,
                           .missingField(path: path, profile: "default", field: "aws_secret_access_key"))
        }
        XCTAssertThrowsError(try S3CredentialsSource.fromFile(at: path, profile: "prod")) { error in
            XCTAssertEqual(error as? S3CredentialsError, .profileNotFound(path: path, profile: "prod"))
        }
    }

    func testResolvePrefersEnvironmentThenFile() throws {
        let path = try writeFile("aws_access_key_id = FROMFILE\naws_secret_access_key = s\n", mode: 0o600)
        XCTAssertEqual(try S3CredentialsSource.resolve(environment: [:], file: path).accessKeyID, "FROMFILE")
        XCTAssertEqual(try S3CredentialsSource.resolve(
            environment: ["AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "e"], file: path).accessKeyID, "ENV")
        XCTAssertThrowsError(try S3CredentialsSource.resolve(environment: [:], file: path + ".missing")) { error in
            XCTAssertEqual(error as? S3CredentialsError, .notConfigured(file: path + ".missing"))
        }
    }

    func testCredentialsNeverPrintTheSecret() {
        let credentials = AWSCredentials(accessKeyID: "AKIDPRINT", secretAccessKey: "s3cr3t-value", sessionToken: "tok")
        for text in [String(describing: credentials), String(reflecting: credentials), "\(credentials)"] {
            XCTAssertTrue(text.contains("AKIDPRINT"))
            XCTAssertFalse(text.contains("s3cr3t-value"))
        }
    }
}
