import Foundation
import XCTest
import Catalog
@testable import CatalogPostgres

/// The ports contract (review, listing, tags, people, takedowns, output check, retention, personal
/// data) on `PostgresCatalog` on a real PostgreSQL (`PostgresTestServer`), each test on a fresh
/// database of the run's cluster.
final class PostgresCatalogPortsContractTests: CatalogPortsContractTests {
    override func makeCatalog() throws -> PortsCatalog {
        try PostgresCatalog(url: try PostgresTestServer.running().makeDatabase())
    }

    override func connectAgain(to catalog: PortsCatalog) throws -> PortsCatalog {
        try XCTUnwrap(catalog as? PostgresCatalog, "not a PostgresCatalog: \(type(of: catalog))").connectAgain()
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
