import CC2PA
import Foundation
import Synchronization

/// Signs images with a C2PA manifest through the C2PA C library, loaded at run time.
///
/// One native signer and one native context (thumbnails off: a manifest thumbnail costs
/// 0.25–0.35 s per 1024² JPEG and can double a noisy image's size) live as long as the host.
/// Calls are serialised: the library's thread-safety for a shared signer is not documented,
/// and its last error is per thread, read right after the failing call on the same thread.
public final class ContentCredentialsSigner: Sendable {
    public let algorithm: C2PASigningAlgorithm
    /// The library actually loaded and its version (c2pa-rs), for the log and `config check`.
    public var libraryPath: String { library.path }
    public var libraryVersion: String { library.version }
    private let library: C2PALibrary
    private let native: Mutex<NativeHandles>

    private struct NativeHandles: @unchecked Sendable {  // only used under the mutex
        let signer: OpaquePointer
        let context: OpaquePointer
    }

    static let settings = #"{"builder":{"thumbnail":{"enabled":false}}}"#

    init(library: C2PALibrary, algorithm: C2PASigningAlgorithm, certificatePEM: String, privateKeyPEM: String)
        throws(ContentCredentialsError) {
        self.library = library
        self.algorithm = algorithm
        let signer = algorithm.rawValue.withCString { alg in
            certificatePEM.withCString { cert in
                privateKeyPEM.withCString { key in
                    var info = C2paSignerInfo(alg: alg, sign_cert: cert, private_key: key, ta_url: nil)
                    return library.signerFromInfo(&info)
                }
            }
        }
        guard let signer else { throw .library(library.lastError("c2pa_signer_from_info returned no signer")) }
        guard let context = Self.context(library) else {
            library.signerFree(signer)
            throw .library(library.lastError("cannot build a C2PA context"))
        }
        native = Mutex(NativeHandles(signer: signer, context: context))
    }

    /// A context whose builders make no thumbnail.
    private static func context(_ library: C2PALibrary) -> OpaquePointer? {
        guard let settings = library.settingsNew() else { return nil }
        defer { _ = library.free(UnsafeRawPointer(settings)) }
        guard library.settingsUpdate(settings, Self.settings, "json") == 0, let builder = library.contextBuilderNew() else { return nil }
        guard library.contextBuilderSetSettings(builder, settings) == 0 else {
            _ = library.free(UnsafeRawPointer(builder))
            return nil
        }
        return library.contextBuilderBuild(builder)  // consumes the builder
    }

    /// `bytes` (an encoded image of `mimeType`) with a signed manifest embedded. The image data
    /// is not re-encoded: the manifest goes in a JPEG APP11 / PNG caBX / WebP C2PA / BMFF uuid box.
    public func sign(_ bytes: Data, mimeType: String, title: String, claim: ContentCredentialsClaim) throws(ContentCredentialsError) -> Data {
        let definition = try claim.definition(mimeType: mimeType, title: title)
        let library = self.library
        return try native.withLock { handles throws(ContentCredentialsError) -> Data in
            guard let empty = library.builderFromContext(handles.context) else {
                throw .signing(format: mimeType, reason: library.lastError("no builder from the context"))
            }
            // with_definition consumes `empty`, on failure too.
            guard let builder = library.builderWithDefinition(empty, definition) else {
                throw .signing(format: mimeType, reason: library.lastError("the manifest definition was refused"))
            }
            defer { library.builderFree(builder) }
            let source = C2PAMemoryStream(bytes)
            let destination = C2PAMemoryStream()
            try source.withNativeStream(library) { (input) throws(ContentCredentialsError) in
                try destination.withNativeStream(library) { (output) throws(ContentCredentialsError) in
                    var manifest: UnsafePointer<UInt8>?
                    let size = library.builderSign(builder, mimeType, input, output, handles.signer, &manifest)
                    if let manifest { library.manifestBytesFree(manifest) }  // the signed asset already holds it
                    guard size >= 0 else { throw .signing(format: mimeType, reason: library.lastError("c2pa_builder_sign failed")) }
                }
            }
            guard !destination.bytes.isEmpty else { throw .signing(format: mimeType, reason: "the library wrote nothing") }
            return destination.data
        }
    }

    deinit {
        native.withLock { handles in
            library.signerFree(handles.signer)
            _ = library.free(UnsafeRawPointer(handles.context))
        }
    }
}
