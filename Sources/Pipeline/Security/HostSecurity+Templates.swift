import Foundation
import CatalogSQLite
import Security

extension HostSecurity {
    /// The screen for the host's template store. Verdicts are remembered in the catalog per
    /// template version under a fingerprint of the policy configuration and of the program
    /// (a new imagegen build may have new compiled-in rules), and refusals are audited once per
    /// template version and rule — the audit log says when a refused template appeared, not how
    /// often it was loaded.
    public func templateScreen(catalog: SQLiteCatalog?) -> TemplateScreen {
        let fingerprint = Self.policyFingerprint(settings.policy)
        let memory = catalog.map { catalog in
            TemplateScreen.Memory(
                recall: { version in
                    guard let value = try? catalog.database.query("SELECT value FROM security_state WHERE name = ?",
                                                                  [.text("template_screen:\(fingerprint):\(version)")]).first?["value"]?.string
                    else { return nil }
                    if value == "allowed" { return .allowed }
                    guard let stored = try? JSONDecoder().decode(StoredRefusal.self, from: Data(value.utf8)) else { return nil }
                    return .refused(PolicyRefusal(ruleID: stored.rule, ruleName: stored.name, message: stored.message,
                                                  isHardBlock: stored.hard))
                },
                remember: { version, decision in
                    let value = decision.refusal.map {
                        SQLiteCatalog.encode(StoredRefusal(rule: $0.ruleID, name: $0.ruleName, message: $0.message, hard: $0.isHardBlock))
                    } ?? "allowed"
                    _ = try? catalog.database.query("""
                        INSERT INTO security_state (name, value, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                        """, [.text("template_screen:\(fingerprint):\(version)"), .text(value),
                              .integer(Int64(Date().timeIntervalSince1970 * 1000))])
                })
        }
        return TemplateScreen(policy: policy, memory: memory) { [self] template, refusal in
            if let catalog {
                let marker = "template_refusal:\(template.name):\(template.version):\(refusal.ruleID)"
                let inserted = try? catalog.database.query("""
                    INSERT OR IGNORE INTO security_state (name, value, updated_at)
                    VALUES (?, 'audited', CAST(strftime('%s','now') AS INTEGER) * 1000) RETURNING name
                    """, [.text(marker)])
                guard let inserted, !inserted.isEmpty else { return }
            }
            log.warning("template \(template.name) refused by the content policy (rule \(refusal.ruleID)); it is not loaded",
                        source: "policy")
            recordPolicyRefusal(refusal, subject: "template:\(template.name)", model: template.model, category: template.category,
                                caller: Caller.system("templates"))
        }
    }

    private struct StoredRefusal: Codable {
        var rule: String
        var name: String
        var message: String
        var hard: Bool
    }

    /// Changes when the policy configuration changes or the program is rebuilt or upgraded.
    static func policyFingerprint(_ configuration: ContentPolicyConfiguration) -> String {
        var material = SQLiteCatalog.encode(configuration)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        if let attributes = try? FileManager.default.attributesOfItem(atPath: executable) {
            material += "|\(executable)|\((attributes[.size] as? NSNumber)?.intValue ?? 0)"
                + "|\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return String(AuditDigest.lineHash(Array(material.utf8)).prefix(16))
    }
}
