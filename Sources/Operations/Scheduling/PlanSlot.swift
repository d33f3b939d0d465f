import Catalog
/// One slot of a plan: a time window in the plan's time zone and what to do in it.
///
/// Config keys: `id`, `start`, `end` ("HH:MM"), `kind` (`generate` | `maintenance`, default
/// `generate`), and for generate slots `category`, `template` or `templates`, `count`, and
/// optionally `model` and `profile`.
public struct PlanSlot: Sendable, Hashable, Codable {
    /// Stable identifier, unique within the plan (e.g. `daily/lingerie`); part of every occurrence key.
    public var id: String
    public var start: TimeOfDay
    public var end: TimeOfDay
    public var kind: SlotKind
    public var category: String?
    public var templates: TemplateSelection?
    public var count: ImageCount?
    /// A model name or alias; nil lets the template or the router choose.
    public var model: String?
    /// A personalisation profile name passed along with the jobs.
    public var profile: String?
    /// Free text for the operator (`imagegen plan` shows it).
    public var note: String?

    public init(id: String, start: TimeOfDay, end: TimeOfDay, kind: SlotKind = .generate,
                category: String? = nil, templates: TemplateSelection? = nil, count: ImageCount? = nil,
                model: String? = nil, profile: String? = nil, note: String? = nil) {
        self.id = id; self.start = start; self.end = end; self.kind = kind
        self.category = category; self.templates = templates; self.count = count
        self.model = model; self.profile = profile; self.note = note
    }

    private enum Keys: String, CodingKey {
        case id, start, end, kind, category, template, templates, count, model, profile, note
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        id = try c.decode(String.self, forKey: .id)
        start = try c.decode(TimeOfDay.self, forKey: .start)
        end = try c.decode(TimeOfDay.self, forKey: .end)
        kind = try c.decodeIfPresent(SlotKind.self, forKey: .kind) ?? .generate
        category = try c.decodeIfPresent(String.self, forKey: .category)
        if let one = try c.decodeIfPresent(String.self, forKey: .template) {
            templates = TemplateSelection([one])
        } else {
            templates = try c.decodeIfPresent(TemplateSelection.self, forKey: .templates)
        }
        count = try c.decodeIfPresent(ImageCount.self, forKey: .count)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        profile = try c.decodeIfPresent(String.self, forKey: .profile)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(id, forKey: .id)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(category, forKey: .category)
        if let templates {
            if templates.names.count == 1 {
                try c.encode(templates.names[0], forKey: .template)
            } else {
                try c.encode(templates.names, forKey: .templates)
            }
        }
        try c.encodeIfPresent(count, forKey: .count)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encodeIfPresent(profile, forKey: .profile)
        try c.encodeIfPresent(note, forKey: .note)
    }
}
