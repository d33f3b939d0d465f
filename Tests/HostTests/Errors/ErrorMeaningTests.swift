import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import Crypto
@testable import HTTPServer
@testable import ImagegenCore
@testable import Pipeline
@testable import Security
@testable import Server
@testable import Templates

/// One table decides what an error means to the API (status) and the CLI (exit code); these
/// are the documented numbers (docs/api.md, README "Exit codes"), and every domain error type
/// the mappers see comes out with the status and code it had before the table.
final class ErrorMeaningTests: XCTestCase {
    func testEachMeaningHasTheDocumentedStatusAndExitCode() {
        let table: [(ErrorMeaning, Int, Int32)] = [
            (.invalidRequest, 400, 2),
            (.unsupportedMediaType, 415, 2),
            (.unknownName, 400, 2),
            (.notFound, 404, 2),
            (.conflict, 409, 1),
            (.budgetRefused, 402, 3),
            (.quotaExceeded(retryAfterSeconds: 7), 429, 3),
            (.contentNotPermitted, 403, 5),
            (.policyRefused, 422, 5),
            (.providerFailed, 502, 4),
            (.unavailable, 503, 1),
            (.misconfigured, 500, 2),
            (.internal, 500, 1),
        ]
        for (meaning, status, exit) in table {
            XCTAssertEqual(meaning.httpStatus, status, "\(meaning)")
            XCTAssertEqual(meaning.exitCode, exit, "\(meaning)")
        }
        XCTAssertEqual(ErrorMeaning.quotaExceeded(retryAfterSeconds: 7).retryAfterSeconds, 7)
        XCTAssertNil(ErrorMeaning.budgetRefused.retryAfterSeconds)
    }

    func testDomainErrorsKeepTheirStatusCodeAndExitCode() {
        let refusal = PolicyRefusal(ruleID: "R1", ruleName: "rule", message: "refused", isHardBlock: false)
        let reservation = Reservation(id: "res_1", imageID: "img_1", channel: "blog", day: "2026-01-01", createdAt: Date(), releasedAt: nil)
        let now = Date()
        let quota = QuotaExceeded(limit: QuotaLimit(scope: .apiToken("a"), kind: .imagesPerDay, value: 2),
                                  used: 2, requested: 1, resetsAt: now.addingTimeInterval(30), refusedAt: now)
        // (error, status, code, exit code) as the two mappers answered before the table.
        let cases: [(any Error, Int, String, Int32)] = [
            (ValidationError.field("width", value: "100", allowed: "multiples of 64"), 400, "invalid_request", 2),
            (ValidationError.unknownModel("nope", known: ["preview"]), 400, "unknown_model", 2),
            (ValidationError.unknownCategory("weather", known: []), 400, "unknown_category", 2),
            (ValidationError.adultCategoryWithoutAttestation("lingerie"), 403, "content_policy", 5),
            (ValidationError.noModelAllowsAdultContent(model: "m", category: "c"), 403, "content_policy", 5),
            (ValidationError.policy(refusal), 422, "content_policy", 5),
            (refusal, 422, "content_policy", 5),
            (quota, 429, "quota_exceeded", 3),
            (BudgetRefusal(budget: "daily", limit: 1, spent: 1, reserved: 0, requested: 1, resetsAt: now), 402, "budget_exceeded", 3),
            (UnpricedModelRefusal(model: "m"), 402, "unpriced_model", 3),
            (TemplateRequestError.unknownTemplate("t", known: []), 400, "unknown_template", 2),
            (TemplateRequestError.emptyCategory("c", known: []), 400, "unknown_category", 2),
            (TemplateRequestError.noTemplateOrCategory, 400, "invalid_request", 2),
            (TemplateRequestError.unknownProfile("p", known: []), 400, "unknown_profile", 2),
            (TemplateRequestError.invalidProfile("p", "bad"), 500, "invalid_config", 2),
            (VariationError.notAnExperiment(template: "t"), 400, "invalid_request", 2),
            (TemplateLibraryError.folderUnreadable(path: "t", reason: "gone"), 500, "templates_unavailable", 1),
            (PostProcessingError.unknownImage("img_1"), 404, "not_found", 2),
            (PostProcessingError.notAnOriginal(id: "img_2", variant: "web", parent: "img_1"), 400, "not_an_original", 2),
            (PostProcessingError.alreadyRunning(imageID: "img_1", run: 1), 409, "already_processing", 1),
            (PostProcessingError.originalMissing(imageID: "img_1", path: "p"), 409, "original_unusable", 1),
            (PostProcessingError.locked(imageID: "img_1", reason: "no key"), 503, "locked", 1),
            (PostProcessingError.imagingUnavailable(reason: "no vips"), 503, "imaging_unavailable", 1),
            (PostProcessingError.storage(imageID: "img_1", reason: "full"), 500, "post_processing_failed", 1),
            (ImageRatingError.unknownImage("img_1"), 404, "not_found", 2),
            (ImageRatingError.outOfRange(9), 400, "invalid_request", 2),
            (ImageRatingError.derivative(id: "img_2", original: "img_1"), 400, "not_an_original", 2),
            (ReservationError.notFound("img_1"), 404, "not_found", 2),
            (ReservationError.alreadyReserved(imageID: "img_1", by: reservation), 409, "already_reserved", 1),
            (ReservationError.invalidDay("tomorrow"), 400, "invalid_request", 2),
            (HTTPJSONBodyError.invalidJSON("x"), 400, "invalid_json", 2),
            (HTTPJSONBodyError.unsupportedContentType("text/plain"), 415, "unsupported_media_type", 2),
            (SQLiteDatabase.Failure(code: 5, message: "database is locked"), 503, "catalog_busy", 1),
            (SQLiteDatabase.Failure(code: 1, message: "syntax error"), 500, "internal", 1),
        ]
        for (error, status, code, exit) in cases {
            let answer = APIError.from(error)
            XCTAssertEqual(answer.status.code, status, "\(error)")
            XCTAssertEqual(answer.code, code, "\(error)")
            XCTAssertFalse(answer.message.isEmpty, "\(error)")
            let meaning = (error as? any MeaningfulError)?.meaning
            XCTAssertEqual(meaning?.exitCode, exit, "\(error)")
        }
        XCTAssertEqual(APIError.from(quota).response.headers["Retry-After"], "30")
    }

    /// An error that knows no meaning is the server's fault and a plain failure: 500 `internal`,
    /// exit 1 (the CLI's fallback), with the error in the message. A locked host's prompt error is one.
    func testAnErrorWithoutAMeaningIsInternal() {
        let locked = PromptAccessError.locked(reason: "no key")
        XCTAssertNil(locked as? any MeaningfulError)
        let answer = APIError.from(locked)
        XCTAssertEqual(answer.status.code, 500)
        XCTAssertEqual(answer.code, "internal")
        XCTAssertTrue(answer.message.contains("no key"), answer.message)
        XCTAssertEqual(ErrorMeaning.internal.exitCode, 1)
    }
}
