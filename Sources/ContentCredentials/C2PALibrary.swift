import CC2PA
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `libc2pa_c.so` (c2pa-rs's C FFI, shipped inside the `c2pa-python` wheel) opened with `dlopen`
/// at run time and the symbols imagegen uses. Never linked, so a host without it still builds
/// and runs; never closed (a Rust library keeps thread-locals and its allocator alive).
final class C2PALibrary: Sendable {
    let path: String
    /// The library's own version string, e.g. "0.91.3" (c2pa-rs).
    let version: String

    let error: c2pa_error_fn
    let stringFree: c2pa_string_free_fn
    let free: c2pa_free_fn
    let createStream: c2pa_create_stream_fn
    let releaseStream: c2pa_release_stream_fn
    let builderFromContext: c2pa_builder_from_context_fn
    let builderWithDefinition: c2pa_builder_with_definition_fn
    let builderFree: c2pa_builder_free_fn
    let builderSign: c2pa_builder_sign_fn
    let manifestBytesFree: c2pa_manifest_bytes_free_fn
    let settingsNew: c2pa_settings_new_fn
    let settingsUpdate: c2pa_settings_update_from_string_fn
    let contextBuilderNew: c2pa_context_builder_new_fn
    let contextBuilderSetSettings: c2pa_context_builder_set_settings_fn
    let contextBuilderBuild: c2pa_context_builder_build_fn
    let signerFromInfo: c2pa_signer_from_info_fn
    let signerFree: c2pa_signer_free_fn

    /// Opens the library at `path`; a missing file or symbol is an error naming it.
    init(path: String) throws(C2PALibraryError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path) }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .unloadable(path: path, reason: dlerror().map { String(cString: $0) } ?? "dlopen failed")
        }
        func symbol<T>(_ name: String, _ type: T.Type) throws(C2PALibraryError) -> T {
            guard let address = dlsym(handle, name) else { throw .missingSymbol(path: path, name: name) }
            return unsafeBitCast(address, to: type)
        }
        self.path = path
        error = try symbol("c2pa_error", c2pa_error_fn.self)
        stringFree = try symbol("c2pa_string_free", c2pa_string_free_fn.self)
        free = try symbol("c2pa_free", c2pa_free_fn.self)
        createStream = try symbol("c2pa_create_stream", c2pa_create_stream_fn.self)
        releaseStream = try symbol("c2pa_release_stream", c2pa_release_stream_fn.self)
        builderFromContext = try symbol("c2pa_builder_from_context", c2pa_builder_from_context_fn.self)
        builderWithDefinition = try symbol("c2pa_builder_with_definition", c2pa_builder_with_definition_fn.self)
        builderFree = try symbol("c2pa_builder_free", c2pa_builder_free_fn.self)
        builderSign = try symbol("c2pa_builder_sign", c2pa_builder_sign_fn.self)
        manifestBytesFree = try symbol("c2pa_manifest_bytes_free", c2pa_manifest_bytes_free_fn.self)
        settingsNew = try symbol("c2pa_settings_new", c2pa_settings_new_fn.self)
        settingsUpdate = try symbol("c2pa_settings_update_from_string", c2pa_settings_update_from_string_fn.self)
        contextBuilderNew = try symbol("c2pa_context_builder_new", c2pa_context_builder_new_fn.self)
        contextBuilderSetSettings = try symbol("c2pa_context_builder_set_settings", c2pa_context_builder_set_settings_fn.self)
        contextBuilderBuild = try symbol("c2pa_context_builder_build", c2pa_context_builder_build_fn.self)
        signerFromInfo = try symbol("c2pa_signer_from_info", c2pa_signer_from_info_fn.self)
        signerFree = try symbol("c2pa_signer_free", c2pa_signer_free_fn.self)
        let versionFunction = try symbol("c2pa_version", c2pa_version_fn.self)
        if let text = versionFunction() {
            version = String(cString: text)
            stringFree(text)
        } else {
            version = "unknown"
        }
    }

    /// The calling thread's last error from the library, freed; `fallback` when it has none.
    func lastError(_ fallback: String) -> String {
        guard let text = error() else { return fallback }
        defer { stringFree(text) }
        let message = String(cString: text)
        return message.isEmpty ? fallback : message
    }
}

/// Why the C2PA library could not be used.
enum C2PALibraryError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case unloadable(path: String, reason: String)
    case missingSymbol(path: String, name: String)

    var description: String {
        switch self {
        case .missing(let path): return "no file at \(path)"
        case .unloadable(let path, let reason): return "cannot load \(path): \(reason)"
        case .missingSymbol(let path, let name):
            return "\(path) has no symbol \(name): it is not the C2PA C library, or a version imagegen does not know "
                + "(install c2pa-python 0.38.1)"
        }
    }
}
