// swift-tools-version:6.0
// imagegen: a Swift host for AI image-generation provider plugins.
// No SwiftPM package dependencies: system C libraries come through systemLibrary targets.
import PackageDescription

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
        .systemLibrary(name: "CVips", path: "Sources/CVips", pkgConfig: "vips",
                       providers: [.apt(["libvips-dev"])]),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),

        // A JSON value type shared by the host and PluginKit (job references are schemaless JSON).
        .target(name: "ImagegenJSON", path: "Sources/ImagegenJSON"),
        .target(name: "PluginKit", dependencies: ["PluginAPI", "ImagegenJSON"], path: "Sources/PluginKit"),
        .target(name: "ImagegenCore", dependencies: ["ImagegenJSON"], path: "Sources/ImagegenCore"),
        .target(name: "DurableFiles", dependencies: ["ImagegenJSON", "ImagegenCore"], path: "Sources/DurableFiles"),
        .target(name: "Crypto", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "CSodium"], path: "Sources/Crypto"),
        .target(name: "HTTPServer", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto"], path: "Sources/HTTPServer"),
        .target(name: "Imaging", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "CVips"], path: "Sources/Imaging"),
        .target(name: "ImagegenConfig", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging"], path: "Sources/ImagegenConfig"),
        .target(name: "CloudStorage", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig"], path: "Sources/CloudStorage"),
        .target(name: "Templates", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage"], path: "Sources/Templates"),
        .target(name: "Catalog", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates"], path: "Sources/Catalog"),
        .target(name: "CatalogSQLite", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "CSQLite"], path: "Sources/CatalogSQLite"),
        .target(name: "PluginHost", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "CatalogSQLite", "PluginAPI"], path: "Sources/PluginHost"),
        .target(name: "Security", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "CatalogSQLite", "PluginHost"], path: "Sources/Security"),
        .target(name: "Pipeline", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "CatalogSQLite", "PluginHost", "Security"], path: "Sources/Pipeline"),
        .target(name: "Operations", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "CatalogSQLite", "PluginHost", "Security", "Pipeline"], path: "Sources/Operations"),
        .target(name: "Server", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "CatalogSQLite", "PluginHost", "Security", "Pipeline", "Operations"], path: "Sources/Server"),
        .target(name: "Host", dependencies: ["ImagegenJSON", "ImagegenCore", "DurableFiles", "Crypto", "HTTPServer", "Imaging", "ImagegenConfig", "CloudStorage", "Templates", "Catalog", "CatalogSQLite", "PluginHost", "Security", "Pipeline", "Operations", "Server"], path: "Sources/Host"),
        .target(name: "ImagegenTestSupport", dependencies: ["Catalog", "Operations"], path: "Sources/ImagegenTestSupport"),
        .executableTarget(name: "imagegen", dependencies: ["Host"], path: "Sources/imagegen"),

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
        .testTarget(name: "HostTests", dependencies: ["Host", "ImagegenJSON", "ImagegenTestSupport"], path: "Tests/HostTests",
                    exclude: ["Fixtures", "CloudStorage/Vectors", "Policy/corpus"]),
        .executableTarget(name: "Benchmarks", dependencies: ["Host"], path: "Benchmarks/Sources"),
        .executableTarget(name: "ImagingBenchmark", dependencies: ["Host"], path: "Benchmarks/imaging",
                          exclude: ["run.sh", "README.md", "reference_pipelines.py", "summarize.py"]),
    ],
    swiftLanguageModes: [.v6]
)
