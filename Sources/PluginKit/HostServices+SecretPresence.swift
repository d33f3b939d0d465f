import PluginAPI

extension HostServices {
    /// Whether the secret `name` is set, learned without copying it: the host is asked with a
    /// zero-byte buffer, so it answers "not found" or "buffer too small" and the key never
    /// enters plugin memory (requests carry it as `${secret:NAME}`, substituted by the host).
    public func hasSecret(_ name: String) -> Bool {
        guard let get = table.pointee.get_secret else { return false }
        var len = 0
        var n = name
        let status = n.withUTF8 { nb in
            get(table, UnsafeRawPointer(nb.baseAddress)?.assumingMemoryBound(to: CChar.self), nb.count, nil, 0, &len)
        }
        return (status == IMAGEGEN_ERR_BUFFER_TOO_SMALL || status == IMAGEGEN_OK) && len > 0
    }
}
