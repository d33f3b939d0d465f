import ImagegenConfig
import PluginHost
import Templates

extension HostConsistency {
    /// Everything that makes the loaded configuration unable to run as written: provider sections
    /// no plugin reports, the default model or an alias naming no model, template errors,
    /// templates pinned to a model that does not exist or forbids their content, plan slots that
    /// cannot run. `config check` prints these and exits 2; `serve` logs them at start and its
    /// health is degraded while any remains (the models table changes as plugins load).
    package static func problems(configuration: Configuration, loadedPlugins: [String], models: ModelTable,
                                 library: TemplateLibrary) -> [String] {
        var problems = ProviderSectionCheck.problems(configured: configuration.providers.keys, loaded: loadedPlugins)
        if let problem = modelProblem(configuration.defaults.model, adult: false, models: models) {
            problems.append("defaults.model: \(problem)")
        }
        for (alias, target) in configuration.aliases.sorted(by: { $0.key < $1.key }) where models.resolve(target) == nil {
            problems.append("aliases.\(alias): \(modelProblem(target, adult: false, models: models) ?? target)")
        }
        problems += library.problems.filter { $0.severity == .error }.map(\.description)
        problems += templateProblems(library.templates, models: models).map(\.message)
        do {
            let plan = try PlanConfiguration(configuration: configuration)
            let slots = slotProblems(plan.plan.allSlots, templates: library, models: models)
            problems += slots.sorted(by: { $0.key < $1.key }).map { "plans: slot \($0.key): \($0.value)" }
        } catch {
            problems.append("plans: \(error.description)")
        }
        return problems
    }
}
