import Foundation
import XCTest
import Catalog
import CatalogSQLite

/// The ports contract (review, listing, tags, people, takedowns, output check, retention, personal
/// data) on `SQLiteCatalog`, each test on a fresh file in its own temporary folder.
final class SQLiteCatalogPortsContractTests: CatalogPortsContractTests {
    private var folders: [String] = []

    override func tearDownWithError() throws {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }  // try?: a leftover temp folder fails nothing
        folders = []
        try super.tearDownWithError()
    }

    override func makeCatalog() throws -> PortsCatalog {
        let folder = TestEnvironment.temporaryDirectory("catalog-ports")
        folders.append(folder)
        return try SQLiteCatalog(path: folder + "/catalog.sqlite")
    }

    override func connectAgain(to catalog: PortsCatalog) throws -> PortsCatalog {
        try SQLiteCatalog(path: try XCTUnwrap(catalog as? SQLiteCatalog, "not a SQLiteCatalog: \(type(of: catalog))").path)
    }

    // MARK: - The contract (forwarded: Linux does not discover inherited tests)

    func testEveryPortsContractTestIsForwarded() throws { try assertForwardsEveryPortsContractTest() }

    override func testReviewDecisionsAreRecordedAndFilterTheListing() throws { try super.testReviewDecisionsAreRecordedAndFilterTheListing() }
    override func testABulkReviewIsAllOrNothingAndRefusesBadInput() throws { try super.testABulkReviewIsAllOrNothingAndRefusesBadInput() }
    override func testTheListingCarriesRatingReviewAndReservationAndFiltersByThem() throws { try super.testTheListingCarriesRatingReviewAndReservationAndFiltersByThem() }
    override func testTheCursorPagesThroughEveryOriginalOnceNewestFirst() throws { try super.testTheCursorPagesThroughEveryOriginalOnceNewestFirst() }
    override func testSetTagsReplacesTheTagsListingsFilterOn() throws { try super.testSetTagsReplacesTheTagsListingsFilterOn() }
    override func testUsersAreAddedOnceAndReadBack() throws { try super.testUsersAreAddedOnceAndReadBack() }
    override func testAPasswordChangeOrDisablingEndsEverySessionAndSessionsExpire() throws { try super.testAPasswordChangeOrDisablingEndsEverySessionAndSessionsExpire() }
    override func testTheLastEnabledAdminCannotBeDisabledOrDemoted() throws { try super.testTheLastEnabledAdminCannotBeDisabledOrDemoted() }
    override func testTwoConnectionsNeverDisableTheLastTwoAdminsTogether() throws { try super.testTwoConnectionsNeverDisableTheLastTwoAdminsTogether() }
    override func testFingerprintsAreKeptPerOriginalAndMissingOnesListed() throws { try super.testFingerprintsAreKeptPerOriginalAndMissingOnesListed() }
    override func testATakedownHidesTheImageAndItsDerivativesAndLeavesTombstones() throws { try super.testATakedownHidesTheImageAndItsDerivativesAndLeavesTombstones() }
    override func testTakedownsListNewestFirst() throws { try super.testTakedownsListNewestFirst() }
    override func testTheOutputCheckVerdictAndAQuarantineAreStoredAndNeverUploaded() throws { try super.testTheOutputCheckVerdictAndAQuarantineAreStoredAndNeverUploaded() }
    override func testRetentionFindsRejectedAndQuarantinedOriginalsPastTheirTimeOldestFirst() throws { try super.testRetentionFindsRejectedAndQuarantinedOriginalsPastTheirTimeOldestFirst() }
    override func testReleasingAQuarantinedOriginalIsACompareAndSetThatKeepsTheVerdict() throws { try super.testReleasingAQuarantinedOriginalIsACompareAndSetThatKeepsTheVerdict() }
    override func testPurgingKeepsTheRowsButClearsPromptsAndPendingUploads() throws { try super.testPurgingKeepsTheRowsButClearsPromptsAndPendingUploads() }
    override func testPersonalDataIsExportedThenErasedUnderAPseudonym() throws { try super.testPersonalDataIsExportedThenErasedUnderAPseudonym() }
}
