// swift-tools-version:6.0
// imagegen: a Swift host for AI image-generation provider plugins.
// No SwiftPM package dependencies: system C libraries come through systemLibrary targets.
import PackageDescription

/// Debian's multiarch directory, where GLib keeps its configuration header (glibconfig.h).
#if arch(arm64)
let multiarchTriple = "aarch64-linux-gnu"
#else
let multiarchTriple = "x86_64-linux-gnu"
#endif

let package = Package(
    name: "imagegen",
    products: [
        .executable(name: "imagegen", targets: ["imagegen"]),
        .library(name: "Host", targets: ["Host"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        // Provider plugins: each a self-contained .so (PluginKit is linked in statically).
        .library(name: "imagegen-preview", type: .dynamic, targets: ["Preview"]),
        .library(name: "imagegen-replicate", type: .dynamic, targets: ["Replicate"]),
        .library(name: "imagegen-midjourney", type: .dynamic, targets: ["Midjourney"]),
        .library(name: "imagegen-stabilityai", type: .dynamic, targets: ["StabilityAI"]),
        .library(name: "imagegen-fal", type: .dynamic, targets: ["FalAI"]),
        .library(name: "imagegen-bfl", type: .dynamic, targets: ["BlackForestLabs"]),
        .library(name: "imagegen-openai", type: .dynamic, targets: ["OpenAIImages"]),
        .library(name: "imagegen-comfyui", type: .dynamic, targets: ["ComfyUI"]),
        .library(name: "imagegen-a1111", type: .dynamic, targets: ["A1111"]),
    ],
    targets: [
        // The ABI: one C header, nothing else (the .c file only makes it a buildable target).
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),

        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // libvips, GLib and libwebp through dlopen on first image work (nothing linked, so an idle
        // host never maps libvips' dependency tree); compiled against their headers (libvips-dev).
        .target(name: "CVips", path: "Sources/CVips",
                cSettings: [.unsafeFlags(["-I/usr/include/glib-2.0", "-I/usr/lib/\(multiarchTriple)/glib-2.0/include"])]),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),

        // A JSON value type shared by the host and PluginKit (job references are schemaless JSON).
        .target(name: "ImagegenJSON", path: "Sources/ImagegenJSON"),
        // The JSON5 syntax locator (line and column of the first error, key positions) and the
        // did-you-mean for misspelt keys: one piece of code for the config and the template loaders.
        .target(name: "ImagegenJSON5", path: "Sources/ImagegenJSON5"),
        .target(name: "PluginKit", dependencies: ["PluginAPI", "ImagegenJSON"], path: "Sources/PluginKit"),
        // Domain values and errors every layer shares: jobs and their states, image records, generation
        // parameters, prices and budgets, ids, the log. No I/O, no storage, no plugins.
        .target(name: "ImagegenCore", dependencies: ["ImagegenJSON"], path: "Sources/ImagegenCore"),
        // Writes that survive a crash: atomic files (temp + fsync + rename + directory fsync), folder
        // locks, owner-only key files, the sweep of temp files left by dead processes.
        .target(name: "DurableFiles", dependencies: [], path: "Sources/DurableFiles"),
        // libsodium's only door (one init): hashes, HMAC, random, master keys and the envelopes that
        // seal prompts at rest. Knows nothing of catalogs or HTTP.
        .target(name: "Crypto", dependencies: ["DurableFiles", "CSodium", "ImagegenJSON"], path: "Sources/Crypto"),
        // A generic hardened HTTP/1.1 server (limits, timeouts, keep-alive, bearer tokens). No product
        // knowledge: routes and JSON bodies are the Server target's.
        .target(name: "HTTPServer", dependencies: ["ImagegenCore", "Crypto"], path: "Sources/HTTPServer"),
        // The studio web app: HTML, CSS and vanilla JavaScript from share/webapp/, embedded as Swift
        // source by scripts/embed-webapp.py, and the GET routes that serve them.
        .target(name: "WebApp", dependencies: ["HTTPServer"], path: "Sources/WebApp"),
        // libvips: verify provider outputs (decode, limits, bombs), enhance, resize, encode, score.
        // Pure pixel work; storing the results is the Pipeline's.
        .target(name: "Imaging", dependencies: ["ImagegenCore", "CVips"], path: "Sources/Imaging"),
        // C2PA Content Credentials: the C2PA C library (libc2pa_c.so from the c2pa-python wheel)
        // opened with dlopen at run time, never linked; CC2PA only declares its function types.
        .target(name: "CC2PA", path: "Sources/CC2PA"),
        .target(name: "ContentCredentials", dependencies: ["ImagegenCore", "ImagegenConfig", "ImagegenJSON", "CC2PA"], path: "Sources/ContentCredentials"),
        // The operator's JSON5 config: parsing, unknown-key refusal, the host-wide settings values.
        .target(name: "ImagegenConfig", dependencies: ["ImagegenCore", "Imaging", "ImagegenJSON", "ImagegenJSON5"], path: "Sources/ImagegenConfig"),
        // S3-compatible object storage: SigV4 signing and an S3 client with multipart and retries.
        .target(name: "CloudStorage", dependencies: ["ImagegenCore", "Crypto", "ImagegenConfig", "ImagegenJSON"], path: "Sources/CloudStorage"),
        // Prompt templates and what is chosen from them: variations, experiments (A/B arms),
        // preference profiles, automatic tags. Values and files only; storage is behind the Catalog port.
        .target(name: "Templates", dependencies: ["ImagegenCore", "Crypto", "ImagegenJSON5"], path: "Sources/Templates"),
        // The storage port: protocols by concern (jobs and budgets, images, ledger, alerts, plan runs,
        // quotas, post-processing runs, ...) and their row types. No SQL, no concrete store.
        .target(name: "Catalog", dependencies: ["ImagegenCore", "Crypto", "Imaging", "ImagegenJSON"], path: "Sources/Catalog"),
        // The embedded catalog: the only target that writes SQL or imports CSQLite (WAL, STRICT tables,
        // numbered migrations). Implements the Catalog port.
        .target(name: "CatalogSQLite", dependencies: ["ImagegenCore", "Crypto", "Imaging", "Templates", "Catalog", "CSQLite", "ImagegenJSON"], path: "Sources/CatalogSQLite"),
        // The catalog on PostgreSQL (libpq) for several hosts on one database: the same port and the
        // same numbered migrations; the only other target that writes SQL. It reads rows into
        // CatalogSQLite's row values and shares its row mapping, so jobs and images decode in one
        // place, and it copies a SQLite catalog in (`imagegen catalog migrate`).
        .target(name: "CatalogPostgres", dependencies: ["ImagegenCore", "Crypto", "Imaging", "Templates", "Catalog", "CatalogSQLite", "CPostgres", "ImagegenJSON"], path: "Sources/CatalogPostgres"),
        // The C ABI from the host's side: loading plugin files (private copies, never dlclose),
        // instances and their calls, generations for hot swap, the model table.
        .target(name: "PluginHost", dependencies: ["ImagegenCore", "DurableFiles", "Crypto", "ImagegenConfig", "ImagegenJSON", "PluginAPI"], path: "Sources/PluginHost"),
        // Secrets, redaction, the audit log, the content policy (hard lines first), quotas.
        .target(name: "Security", dependencies: ["ImagegenCore", "DurableFiles", "Crypto", "ImagegenConfig", "Catalog", "PluginHost", "ImagegenJSON"], path: "Sources/Security"),
        // validate -> route -> price -> run -> verify -> store: the generation service, the job runner
        // and its durable state machine, routing with circuits, the content store, post-processing.
        .target(name: "Pipeline", dependencies: ["ImagegenCore", "DurableFiles", "Crypto", "Imaging", "ImagegenConfig", "ContentCredentials", "Templates", "Catalog", "PluginHost", "Security", "ImagegenJSON"], path: "Sources/Pipeline"),
        // Running a studio: plans and their slots, alerts, metrics, reports, uploads, backups, key rotation.
        .target(name: "Operations", dependencies: ["ImagegenCore", "DurableFiles", "Crypto", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "PluginHost", "Security", "Pipeline", "ImagegenJSON"], path: "Sources/Operations"),
        // The composition root: builds a host from a data folder in one order for the CLI, the library
        // and serve. The only code outside CatalogSQLite that names the concrete catalog.
        .target(name: "Composition", dependencies: ["ImagegenCore", "ImagegenConfig", "ContentCredentials", "CloudStorage", "CatalogSQLite", "CatalogPostgres", "Security", "Pipeline", "Operations"], path: "Sources/Composition"),
        // `imagegen serve`: the HTTP API over HTTPServer, the plugin-folder watcher, shutdown.
        .target(name: "Server", dependencies: ["ImagegenCore", "DurableFiles", "HTTPServer", "WebApp", "ImagegenConfig", "Catalog", "PluginHost", "Security", "Pipeline", "Operations", "Composition", "Templates", "ImagegenJSON"], path: "Sources/Server"),
        // The library users import (`import Host`): ImageGenerator, the product's examples.
        .target(name: "Host", dependencies: ["ImagegenCore", "Crypto", "ImagegenConfig", "Catalog", "Security", "Pipeline", "Operations", "Composition"], path: "Sources/Host"),
        // Test doubles (in-memory stores, a manual clock); only tests depend on it.
        .target(name: "ImagegenTestSupport", dependencies: ["Catalog", "Operations", "Pipeline", "ImagegenCore"], path: "Sources/ImagegenTestSupport"),

        .executableTarget(name: "imagegen", dependencies: ["Host", "Composition", "Server", "Operations", "Pipeline", "Security", "PluginHost", "Catalog", "Templates", "CloudStorage", "ImagegenConfig", "Imaging", "Crypto", "DurableFiles", "ImagegenCore", "ImagegenJSON"], path: "Sources/imagegen"),

        .target(name: "Preview", dependencies: ["PluginAPI"], path: "Plugins/Preview",
                cSettings: [.unsafeFlags(["-fvisibility=hidden"])],
                linkerSettings: [.linkedLibrary("png")]),
        .target(name: "Replicate", dependencies: ["PluginKit"], path: "Plugins/Replicate"),
        .target(name: "Midjourney", dependencies: ["PluginKit"], path: "Plugins/Midjourney"),
        .target(name: "StabilityAI", dependencies: ["PluginKit"], path: "Plugins/StabilityAI"),
        .target(name: "FalAI", dependencies: ["PluginKit"], path: "Plugins/FalAI"),
        .target(name: "BlackForestLabs", dependencies: ["PluginKit"], path: "Plugins/BlackForestLabs"),
        .target(name: "OpenAIImages", dependencies: ["PluginKit"], path: "Plugins/OpenAIImages"),
        .target(name: "ComfyUI", dependencies: ["PluginKit"], path: "Plugins/ComfyUI"),
        .target(name: "A1111", dependencies: ["PluginKit"], path: "Plugins/A1111"),

        // Fixtures are C sources and data the tests compile or read from the source tree.
        .testTarget(name: "HostTests", dependencies: ["Host", "Composition", "Server", "Operations", "Pipeline", "Security", "PluginHost", "CatalogSQLite", "CatalogPostgres", "Catalog", "Templates", "CloudStorage", "ImagegenConfig", "Imaging", "ContentCredentials", "HTTPServer", "WebApp", "Crypto", "DurableFiles", "ImagegenCore", "ImagegenJSON", "ImagegenJSON5", "ImagegenTestSupport"], path: "Tests/HostTests",
                    exclude: ["Fixtures", "CloudStorage/Vectors", "Policy/corpus"]),
        .executableTarget(name: "Benchmarks", dependencies: ["Host", "Pipeline", "PluginHost", "CatalogSQLite", "CatalogPostgres", "Catalog", "ImagegenConfig", "ImagegenCore", "ImagegenJSON", "Imaging"], path: "Benchmarks/Sources"),
        .executableTarget(name: "ImagingBenchmark", dependencies: ["Host", "Imaging", "ContentCredentials"], path: "Benchmarks/imaging",
                          exclude: ["run.sh", "c2pa.sh", "README.md", "reference_pipelines.py", "summarize.py"]),
    ],
    swiftLanguageModes: [.v6]
)
