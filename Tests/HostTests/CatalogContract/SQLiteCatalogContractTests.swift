import Foundation
import XCTest
import Catalog
import CatalogSQLite

/// The storage contract run against `SQLiteCatalog`, each test on a fresh file in its own
/// temporary folder.
final class SQLiteCatalogContractTests: CatalogContractTests {
    private var folders: [String] = []

    override func tearDownWithError() throws {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
        folders = []
        try super.tearDownWithError()
    }

    override func makeStore() throws -> any CatalogStore {
        let folder = TestEnvironment.temporaryDirectory("catalog-contract")
        folders.append(folder)
        return try SQLiteCatalog(path: folder + "/catalog.sqlite")
    }

    override func reopen(_ store: inout (any CatalogStore)?) throws -> any CatalogStore {
        let path: String
        weak var closed: SQLiteCatalog?
        do {
            let catalog = try XCTUnwrap(store as? SQLiteCatalog, "not a SQLiteCatalog: \(type(of: store))")
            path = catalog.path
            closed = catalog
        }
        store = nil
        // The last reference is gone, so the connection is closed (sqlite3_close_v2 in deinit):
        // what the new one reads comes from the file, not from a live connection.
        XCTAssertNil(closed, "the old catalog is still referenced, so its connection was not closed")
        return try SQLiteCatalog(path: path)
    }

    override func connectAgain(to store: any CatalogStore) throws -> any CatalogStore {
        let catalog = try XCTUnwrap(store as? SQLiteCatalog, "not a SQLiteCatalog: \(type(of: store))")
        return try SQLiteCatalog(path: catalog.path)
    }

    override func makeAlertStore(on store: any CatalogStore) throws -> any AlertStore {
        try CatalogAlertStore(catalog: try XCTUnwrap(store as? SQLiteCatalog))
    }

    override func makeSlotRunStore(on store: any CatalogStore) throws -> any SlotRunStore {
        try CatalogSlotRunStore(catalog: try XCTUnwrap(store as? SQLiteCatalog))
    }

    override func makeQuotaUsageStore(on store: any CatalogStore) throws -> any QuotaUsageStore {
        try XCTUnwrap(store as? SQLiteCatalog)
    }


    // MARK: - The contract (forwarded: Linux does not discover inherited tests)

    func testEveryContractTestIsForwarded() throws { try assertForwardsEveryContractTest() }

    override func testEnqueueStoresEveryFieldAndReservesTheExpectedCost() throws { try super.testEnqueueStoresEveryFieldAndReservesTheExpectedCost() }
    override func testRefusalReportsTheBudgetAndQueuesNothing() throws { try super.testRefusalReportsTheBudgetAndQueuesNothing() }
    override func testABatchThatDoesNotFitIsRefusedWholeWithoutAllowPartial() throws { try super.testABatchThatDoesNotFitIsRefusedWholeWithoutAllowPartial() }
    override func testBatchRefusalReportsTheStateBeforeTheRequest() throws { try super.testBatchRefusalReportsTheStateBeforeTheRequest() }
    override func testAllowPartialQueuesTheJobsThatFitInOrder() throws { try super.testAllowPartialQueuesTheJobsThatFitInOrder() }
    override func testAllowPartialStillRefusesWhenNotEvenTheFirstJobFits() throws { try super.testAllowPartialStillRefusesWhenNotEvenTheFirstJobFits() }
    override func testAJobThatExactlyFillsTheBudgetIsAccepted() throws { try super.testAJobThatExactlyFillsTheBudgetIsAccepted() }
    override func testUnknownAndZeroCostReserveNothingAndAreNeverRefused() throws { try super.testUnknownAndZeroCostReserveNothingAndAreNeverRefused() }
    override func testMonthlyWindowCountsEarlierDaysOfTheMonth() throws { try super.testMonthlyWindowCountsEarlierDaysOfTheMonth() }
    override func testCategoryBudgetsCountOnlyTheirCategory() throws { try super.testCategoryBudgetsCountOnlyTheirCategory() }
    override func testTheGlobalBudgetAlsoAppliesToACategoryWithItsOwn() throws { try super.testTheGlobalBudgetAlsoAppliesToACategoryWithItsOwn() }
    override func testSpendingWindowsFollowTheBudgetTimeZone() throws { try super.testSpendingWindowsFollowTheBudgetTimeZone() }
    override func testBudgetStatusListsGlobalThenCategoryWindowsWithSpentReservedRemainingAndReset() throws { try super.testBudgetStatusListsGlobalThenCategoryWindowsWithSpentReservedRemainingAndReset() }
    override func testRemainingNeverGoesBelowZero() throws { try super.testRemainingNeverGoesBelowZero() }
    override func testTheSameIdempotencyKeyReturnsTheJobAlreadyQueued() throws { try super.testTheSameIdempotencyKeyReturnsTheJobAlreadyQueued() }
    override func testARepeatedKeyInsideOneBatchQueuesOneJob() throws { try super.testARepeatedKeyInsideOneBatchQueuesOneJob() }
    override func testAKeyStillReturnsItsJobAfterTheJobFinished() throws { try super.testAKeyStillReturnsItsJobAfterTheJobFinished() }
    override func testQueuedJobsComeByPriorityThenAgeAndHonourTheLimit() throws { try super.testQueuedJobsComeByPriorityThenAgeAndHonourTheLimit() }
    override func testQueuedJobsLeaveOutJobsThatLeftTheQueue() throws { try super.testQueuedJobsLeaveOutJobsThatLeftTheQueue() }
    override func testACancelRequestIsReadWithoutTheWholeJob() throws { try super.testACancelRequestIsReadWithoutTheWholeJob() }
    override func testQueuedJobsForModelsLeaveOutJobsForOtherModels() throws { try super.testQueuedJobsForModelsLeaveOutJobsForOtherModels() }
    override func testSubmitProgressStoreAndFinishRecordEveryStep() throws { try super.testSubmitProgressStoreAndFinishRecordEveryStep() }
    override func testUnknownCostStaysNullInTheJobTheImageAndTheLedger() throws { try super.testUnknownCostStaysNullInTheJobTheImageAndTheLedger() }
    override func testAFailedJobKeepsItsErrorAndReleasesItsReservation() throws { try super.testAFailedJobKeepsItsErrorAndReleasesItsReservation() }
    override func testStoringTheSameOutputTwiceKeepsOneImageAndOneLedgerEntry() throws { try super.testStoringTheSameOutputTwiceKeepsOneImageAndOneLedgerEntry() }
    override func testDerivativesAreNotCharged() throws { try super.testDerivativesAreNotCharged() }
    override func testUnfinishedJobsAreThoseSentOrBeingSentToAProvider() throws { try super.testUnfinishedJobsAreThoseSentOrBeingSentToAProvider() }
    override func testRequeuePutsAJobBackWithItsTriedListAndReservation() throws { try super.testRequeuePutsAJobBackWithItsTriedListAndReservation() }
    override func testCancellingAQueuedJobEndsItAtOnceAndReleasesItsReservation() throws { try super.testCancellingAQueuedJobEndsItAtOnceAndReleasesItsReservation() }
    override func testCancellingAJobAtTheProviderOnlyFlagsIt() throws { try super.testCancellingAJobAtTheProviderOnlyFlagsIt() }
    override func testCancellingAFinishedOrUnknownJob() throws { try super.testCancellingAFinishedOrUnknownJob() }
    override func testJobsFilterByStateAndBatchNewestFirstWithALimit() throws { try super.testJobsFilterByStateAndBatchNewestFirstWithALimit() }
    override func testJobsByIDsReturnsExactlyTheKnownOnes() throws { try super.testJobsByIDsReturnsExactlyTheKnownOnes() }
    override func testImagesFilterByCategoryModelTagSinceStatusAndJob() throws { try super.testImagesFilterByCategoryModelTagSinceStatusAndJob() }
    override func testLedgerSinceIsInclusiveAndOldestFirst() throws { try super.testLedgerSinceIsInclusiveAndOldestFirst() }
    override func testConcurrentEnqueuesOnOneStoreNeverOverspend() throws { try super.testConcurrentEnqueuesOnOneStoreNeverOverspend() }
    override func testConcurrentEnqueuesThroughSeveralConnectionsNeverOverspend() throws { try super.testConcurrentEnqueuesThroughSeveralConnectionsNeverOverspend() }
    override func testJobsRefsImagesAndLedgerSurviveReopening() throws { try super.testJobsRefsImagesAndLedgerSurviveReopening() }
    override func testAlertsKeepOneActiveInstancePerConditionAndListNewestFirst() throws { try super.testAlertsKeepOneActiveInstancePerConditionAndListNewestFirst() }
    override func testResolvingAnInstanceThatIsNotActiveChangesNothing() throws { try super.testResolvingAnInstanceThatIsNotActiveChangesNothing() }
    override func testAlertsSurviveReopening() throws { try super.testAlertsSurviveReopening() }
    override func testSlotRunsAreRecordedOncePerOccurrenceAndUpdatedInPlace() throws { try super.testSlotRunsAreRecordedOncePerOccurrenceAndUpdatedInPlace() }
    override func testSlotRunsByStatusAndHistory() throws { try super.testSlotRunsByStatusAndHistory() }
    override func testSlotRunsSurviveReopening() throws { try super.testSlotRunsSurviveReopening() }
    override func testDailyImageCountsArePerDayAndScopeAndTheLastSaveWins() throws { try super.testDailyImageCountsArePerDayAndScopeAndTheLastSaveWins() }
    override func testDailyImageCountsSurviveReopening() throws { try super.testDailyImageCountsSurviveReopening() }
    override func testADailyImageCountSavedBeforeAnyReadIsKept() throws { try super.testADailyImageCountSavedBeforeAnyReadIsKept() }
}
