import Foundation
import XCTest
@testable import Host
@testable import CloudStorage
@testable import Crypto

final class CloudStorageObjectKeyTests: XCTestCase {
    private let november = Date(timeIntervalSince1970: 1_764_000_000)  // 2025-11-24T16:00:00Z

    func testKeyFromFieldsMirrorsTheLocalLayout() throws {
        let key = try ObjectKey(prefix: "/imagegen/prod/", category: "portraits", createdAt: november,
                                imageID: "img-001", fileExtension: "png")
        XCTAssertEqual(key.rawValue, "imagegen/prod/portraits/2025/11/img-001.png")
        let bare = try ObjectKey(prefix: "", category: "portraits", createdAt: november, imageID: "img-001", fileExtension: "webp")
        XCTAssertEqual(bare.rawValue, "portraits/2025/11/img-001.webp")
    }

    func testKeyFromContentRelativePath() throws {
        XCTAssertEqual(try ObjectKey(prefix: "p", contentRelativePath: "landscapes/2026/01/x9.jpg").rawValue,
                       "p/landscapes/2026/01/x9.jpg")
        XCTAssertThrowsError(try ObjectKey(prefix: "p", contentRelativePath: "landscapes/26/1/x9.jpg"))
        XCTAssertThrowsError(try ObjectKey(prefix: "p", contentRelativePath: "a/../2026/01/x.png"))
    }

    func testComponentsCannotEscapeThePrefix() {
        for (category, id) in [("..", "x"), ("a/b", "x"), ("ok", "../../etc"), ("", "x"), ("ok", "a\nb")] {
            XCTAssertThrowsError(try ObjectKey(prefix: "p", category: category, createdAt: november,
                                               imageID: id, fileExtension: "png"), "\(category) \(id)")
        }
        XCTAssertThrowsError(try ObjectKey(prefix: "a/../b", category: "c", createdAt: november, imageID: "i", fileExtension: "png"))
    }

    func testUploadPlanFromAStoredImage() throws {
        let digest = SHA256Digest.of(Data("image".utf8))
        let image = ImageObjectMetadata(imageID: "img-7", category: "portraits", model: "sdxl", cost: nil,
                                        contentSHA256: digest, createdAt: november)
        let plan = try UploadPlan(localPath: "/data/content/portraits/2025/11/img-7.jpeg", contentRoot: "/data/content",
                                  prefix: "imagegen", image: image)
        XCTAssertEqual(plan.key.rawValue, "imagegen/portraits/2025/11/img-7.jpeg")
        XCTAssertEqual(plan.contentType, "image/jpeg")
        XCTAssertEqual(plan.metadata["image-id"], "img-7")
        XCTAssertThrowsError(try UploadPlan(localPath: "/elsewhere/portraits/2025/11/img-7.png", contentRoot: "/data/content",
                                            prefix: "", image: image)) { error in
            XCTAssertEqual(error as? UploadPlanError, .outsideContentRoot(path: "/elsewhere/portraits/2025/11/img-7.png",
                                                                         root: "/data/content"))
        }
    }
}
