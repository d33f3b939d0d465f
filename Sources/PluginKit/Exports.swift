// Plugin authors get the JSON value type with PluginKit.
@_exported import ImagegenJSON
