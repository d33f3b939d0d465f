/// Nothing was queued because a budget would be exceeded (402, exit 3).
extension BudgetRefusal: MeaningfulError {
    package var meaning: ErrorMeaning { .budgetRefused }
    package var errorCode: String { "budget_exceeded" }
}

/// A budget is set and the model has no known price, so the spend cannot be bounded (402, exit 3).
extension UnpricedModelRefusal: MeaningfulError {
    package var meaning: ErrorMeaning { .budgetRefused }
    package var errorCode: String { "unpriced_model" }
}
