import Foundation
import Catalog
import Templates

extension SQLiteCatalog: PreferenceProfileStore {
    /// A learned profile, if one was stored.
    package func storedProfile(_ name: String) throws -> PreferenceProfile? {
        try migrate(ContentSchema.schema)
        guard let json = try database.query("SELECT profile FROM profiles WHERE name = ?", [.text(name)]).first?["profile"]?.string else { return nil }
        // A stored profile that does not decode throws: falling back to the configured profile
        // would silently generate with different preferences than the ones learned.
        return try JSONDecoder().decode(PreferenceProfile.self, from: Data(json.utf8))
    }

    package func storeProfile(_ profile: PreferenceProfile, now: Date = Date()) throws {
        try migrate(ContentSchema.schema)
        let data = try JSONEncoder().encode(profile)
        try database.query("""
            INSERT INTO profiles (name, profile, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at
            """, [.text(profile.name), .text(String(decoding: data, as: UTF8.self)), .integer(ms(now))])
    }
}
