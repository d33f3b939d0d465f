import PluginKit

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(ComfyUIProvider.self, host: host)
}
