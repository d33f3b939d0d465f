/// The ComfyUI `prompt_id` for a host job id.
///
/// ComfyUI accepts a client-chosen `prompt_id` but only in canonical lowercase UUID form
/// (`validate_job_id` in `comfy_execution/jobs.py`), and host job ids are not UUIDs
/// (`job_<time><random>`). So the id is derived: a 128-bit hash of the job id laid out as an
/// RFC 9562 version-8 UUID. The same job id always gives the same prompt_id, in any process
/// and any build of the plugin — which is what lets a restarted host find its job again.
enum ComfyUIPromptID {
    static func forJob(_ jobID: String) -> String {
        let bytes = Array(jobID.utf8)
        // Two FNV-1a 64-bit passes with different offset bases: stable, dependency-free, and
        // collision-free in practice for ids that already carry 64 random bits.
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        for byte in bytes.reversed() {
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var raw = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            raw[i] = UInt8(truncatingIfNeeded: a >> (56 - 8 * UInt64(i)))
            raw[8 + i] = UInt8(truncatingIfNeeded: b >> (56 - 8 * UInt64(i)))
        }
        raw[6] = (raw[6] & 0x0F) | 0x80 // version 8
        raw[8] = (raw[8] & 0x3F) | 0x80 // RFC 9562 variant
        let hex = raw.map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }
}
