import Catalog
extension BudgetStatus {
    /// (spent + reserved) / limit: the share of the budget committed; 1 when the limit is 0 and
    /// anything is committed, 0 when nothing is.
    package var usedRatio: Double {
        let committed = spent + reserved
        guard limit > 0 else { return committed > 0 ? 1 : 0 }
        return committed / limit
    }
}
