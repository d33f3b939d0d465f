import Catalog

/// What the HTTP endpoints need of the catalog: jobs, images and money (`CatalogStore`),
/// reservations, reviews and the gallery's listing, the indexed job-overview reads of waits and
/// scrapes, and post-processing runs for `GET /v1/images/{id}`. Whichever store implements these
/// serves the API.
typealias ServerCatalog = any CatalogStore & ReservationStore & JobOverviewStore & PostProcessingStore
    & ReviewStore & ImageListingStore & UserStore & HostRegistry & PersonalDataStore
