import Catalog

extension GenerationService {
    /// The catalog's ratings and learned profiles, asked of the catalog by capability (not by
    /// concrete store): any catalog that keeps them serves, and a bare `CatalogStore` (a test
    /// double) still queues jobs — rating then refuses the image as unknown.
    var ratings: (any RatingStore & PreferenceProfileStore)? { catalog as? any RatingStore & PreferenceProfileStore }

    /// Learned preference profiles; without them templates use the profiles declared in config.
    var profiles: (any PreferenceProfileStore)? { catalog as? any PreferenceProfileStore }

    /// The A/B experiments' evidence; without it template requests get no experiment arms.
    var experiments: (any ExperimentStore)? { catalog as? any ExperimentStore }
}
