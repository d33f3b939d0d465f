import ImagegenJSON5

/// Lines and columns in template files (the type lives with the JSON5 locator, shared with the config loader).
public typealias SourcePosition = ImagegenJSON5.SourcePosition
