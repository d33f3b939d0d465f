/// What an audit entry records. The raw values are what the log file and `imagegen audit --json`
/// show, so they are stable: add cases, never rename one.
public enum AuditAction: String, Codable, Sendable, CaseIterable {
    /// An image generation was requested (subject: job id; details: model, category, template).
    case generation
    /// A job was cancelled (subject: job id).
    case cancellation
    /// A budget limit was changed (subject: budget name; details: old and new value).
    case budgetChange = "budget.change"
    /// Master keys were rotated or a rotation batch ran (subject: new key id).
    case keyRotation = "key.rotation"
    /// A plugin generation was loaded (subject: plugin id; details: file, content hash).
    case pluginLoad = "plugin.load"
    /// A plugin file was refused (subject: file; details: reason).
    case pluginRefusal = "plugin.refusal"
    /// A plugin was hot-swapped to a new generation (subject: plugin id).
    case pluginSwap = "plugin.swap"
    /// The content policy refused a request or template (subject: job or template; details: rule id).
    case policyRefusal = "policy.refusal"
    /// A quota refused a request (subject: scope; details: limit and reset time).
    case quotaRefusal = "quota.refusal"
    /// A call to the HTTP API (subject: method and path; details: status).
    case apiCall = "api.call"
    /// The log's torn last line (a crash during an append) was cut off before appending.
    case auditRecovery = "audit.recovery"
    /// A budget refused a request (subject: budget name; details: limit, spent, reserved, requested).
    case budgetRefusal = "budget.refusal"
    /// A provider's safety filter refused a job (subject: job id; details: plugin, template). Final:
    /// never retried elsewhere.
    case contentFiltered = "content.filtered"
    /// A master key was generated (subject: key id; details: file).
    case keyGeneration = "key.generation"
    /// A plugin file disappeared from the plugins folder (subject: plugin id).
    case pluginRemoval = "plugin.removal"
    /// An original was approved (subject: image id).
    case imageApproval = "image.approve"
    /// An original was rejected (subject: image id; details: reason).
    case imageRejection = "image.reject"
    /// A reviewer released an original the output check quarantined (subject: image id; details:
    /// reason, rule, the verdict's reason).
    case quarantineRelease = "image.release"
    /// An original was rated (subject: image id; details: rating).
    case imageRating = "image.rate"
    /// An image was reserved for a post, or released (subject: image id; details: channel, day, released).
    case imageReservation = "image.reserve"
    /// A user account was added, disabled, re-enabled, given a password or a role (subject: user name; details: what).
    case userChange = "user.change"
    /// An admin marked a user as verified adult, or withdrew it (subject: user name; details: verified).
    case adultVerification = "user.adult_verification"
    /// A user logged in (subject: user name; details: address).
    case login = "session.login"
    /// A login was refused (subject: user name as given; details: reason, address).
    case loginRefusal = "session.refusal"
    /// A user logged out (subject: user name).
    case logout = "session.logout"
    /// A takedown request was received (subject: takedown id; details: target, reason, requested_at).
    case takedownRequest = "takedown.request"
    /// A takedown finished (subject: takedown id; details: images, files, objects, requested_at,
    /// completed_at, seconds) or stopped short (details: error).
    case takedownCompletion = "takedown.completion"
    /// A generation was refused because its template and seed made an image that was taken down
    /// (subject: template; details: seed, takedown id).
    case takedownRefusal = "takedown.refusal"
    /// A retention rule purged an image's files (subject: image id; details: rule, since, days, files).
    case retentionPurge = "retention.purge"
    /// A user's personal data was exported (subject: user name; details: entries).
    case userExport = "user.export"
    /// A user's personal data was erased (subject: the pseudonym that replaced the name; details:
    /// entries rewritten, the head before the rewrite).
    case userErasure = "user.erase"
}

