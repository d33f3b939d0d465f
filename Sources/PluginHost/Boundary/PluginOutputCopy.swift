import PluginAPI

/// Copies a plugin-owned `imagegen_output` into host memory, checking its size against the
/// limit first: an answer claiming 2^40 bytes is refused, naming the size, instead of being
/// allocated (which killed the host). The output goes back to the plugin's `release` either way.
enum PluginOutputCopy {
    static func take(_ out: inout imagegen_output, release: (UnsafeMutablePointer<imagegen_output>) -> Void,
                     call: String, limit: Int, what: String) -> Result<[UInt8], PluginCallError> {
        defer { release(&out) }
        guard out.size <= limit else {
            return .failure(.fault("\(call) answered \(out.size) bytes, more than the \(limit)-byte limit for \(what); refused without reading it"))
        }
        guard let data = out.data else {
            return out.size == 0 ? .success([]) : .failure(.fault("\(call) answered a NULL data pointer with size \(out.size)"))
        }
        return .success(Array(UnsafeBufferPointer(start: data, count: out.size)))
    }
}
