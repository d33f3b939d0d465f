/// Nothing was queued because a budget would be exceeded (402, exit 3).
extension BudgetRefusal: MeaningfulError {
    public var meaning: ErrorMeaning { .budgetRefused }
    public var errorCode: String { "budget_exceeded" }
}

/// A budget is set and the model has no known price, so the spend cannot be bounded (402, exit 3).
extension UnpricedModelRefusal: MeaningfulError {
    public var meaning: ErrorMeaning { .budgetRefused }
    public var errorCode: String { "unpriced_model" }
}
