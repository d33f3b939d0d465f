import ImagegenJSON

/// A poll result (from `submit`, `poll` or `reconcile`) checked against the ABI before the host
/// acts on it. A result that breaks the contract — an unknown state, more outputs than the job
/// asked for, a field of the wrong type — is a plugin fault: re-polling it would only repeat it
/// until the deadline (a malformed answer used to end as `timeout`, with no log line), and
/// fetching 100,001 listed outputs for a 1-output job filled the disk.
public enum PollResultCheck {
    public static let states: Set<String> = ["queued", "running", "succeeded", "failed", "cancelled", "content_filtered"]

    /// Throws a `pluginFault` error saying what is wrong.
    public static func check(_ result: JSONValue, call: String, expectedOutputs: Int) throws(PluginCallError) {
        if let problem = problem(result, expectedOutputs: expectedOutputs) {
            throw .fault("\(call) returned an invalid poll result: \(problem)")
        }
    }

    static func problem(_ r: JSONValue, expectedOutputs: Int) -> String? {
        guard r.object != nil else { return "not a JSON object" }
        if let schema = r["schema"], schema.int != 1 { return "\"schema\" is \(short(schema)), this host reads schema 1" }
        guard let stateValue = r["state"] else { return "no \"state\"" }
        guard let state = stateValue.string, states.contains(state) else {
            return "unknown \"state\" \(short(stateValue)) (expected one of \(states.sorted().joined(separator: ", ")))"
        }
        for key in ["progress", "next_poll_ms", "provider_time_s", "seed"] {
            if let v = r[key], !v.isNull, v.number == nil { return "\"\(key)\" is \(short(v)), not a number" }
        }
        if let cost = r["cost_usd"], !cost.isNull {
            guard let usd = cost.number, usd.isFinite, usd >= 0 else { return "\"cost_usd\" is \(short(cost)), not a non-negative number" }
        }
        if let error = r["error"], !error.isNull, error.object == nil { return "\"error\" is \(short(error)), not an object" }
        if let outputs = r["outputs"], !outputs.isNull {
            guard let list = outputs.array else { return "\"outputs\" is \(short(outputs)), not a list" }
            guard list.count <= expectedOutputs else {
                return "it lists \(list.count) outputs for a job of \(expectedOutputs); none was fetched"
            }
            var seen = Set<Int>()
            for (i, o) in list.enumerated() {
                guard let index = o["index"]?.int, (0..<expectedOutputs).contains(index) else {
                    return "outputs[\(i)] has no \"index\" in 0..<\(expectedOutputs) (\(short(o)))"
                }
                guard seen.insert(index).inserted else { return "output index \(index) is listed twice" }
                if let mime = o["mime"], !mime.isNull, mime.string == nil { return "outputs[\(i)].mime is not a string" }
            }
        }
        return nil
    }

    /// A value for a message: a plugin's answer may be huge, so only its start is quoted.
    static func short(_ v: JSONValue) -> String {
        let text = String(decoding: v.encoded(), as: UTF8.self)
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}
