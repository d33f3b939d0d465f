import Foundation
import Glibc
import ImagegenJSON

extension PluginLoader {
    /// Loads a plugin in a child process: a private copy (kept open, unlinked) is handed to
    /// `imagegen plugin-runner`, which `dlopen`s it and answers with its describe. An entry or
    /// describe that crashes refuses the file instead of killing the host.
    func loadIsolated(file: String, bytes: [UInt8], hash: String, generation: Int, runner: String) -> Result<PluginGeneration, PluginRefusal> {
        let name = (file as NSString).lastPathComponent
        let imageFD: Int32
        switch privateCopy(bytes, hash: hash, name: name) {
        case .failure(let r): return .failure(r)
        case .success(let copy):
            unlink(copy.path)
            imageFD = copy.fd
        }
        if let cached = describeCache?.hello(for: hash) {
            // Described before, under this runner build: the child starts on the first call. A
            // cached description that no longer parses is ignored and the plugin described again.
            switch finishLoad(file: file, bytes: bytes, hash: hash, generation: generation, runner: runner,
                              imageFD: imageFD, hello: cached, process: nil) {
            case .success(let loaded): return .success(loaded)
            case .failure(.invalidDescription): break
            case .failure(let refusal): return .failure(refusal)
            }
        }
        let defaults = IsolationSettings()
        let process: RunnerProcess
        switch RunnerProcess.spawn(runner: runner, imageFD: imageFD, file: name, hash: hash, generation: generation,
                                   limits: limits, services: services, source: name) {
        case .failure(let failure):
            close(imageFD)
            return .failure(.crashedWhileLoading(file: name, detail: failure.message))
        case .success(let p):
            process = p
        }
        let (frame, outcome) = process.awaitHello(timeout: defaults.limit("describe"))
        let hello: RunnerMessage.Hello
        switch (frame, outcome) {
        case (let f?, nil) where f.kind == .hello:
            guard let h = RunnerMessage.Hello(f.body) else {
                process.kill(because: "malformed hello")
                close(imageFD)
                return .failure(.crashedWhileLoading(file: name, detail: "the plugin runner answered with a malformed hello"))
            }
            hello = h
        case (let f?, nil):
            close(imageFD)
            var r = ByteReader(f.body)
            return .failure(.refusedInRunner(file: name, text: r.text() ?? "\(name): refused"))
        case (_, .exited(let how)?):
            close(imageFD)
            return .failure(.crashedWhileLoading(file: name, detail: "its process was \(how)"))
        default:
            process.kill(because: "describe watchdog")
            close(imageFD)
            return .failure(.crashedWhileLoading(file: name, detail: "it did not finish loading within \(IsolatedTransport.seconds(defaults.limit("describe")))"))
        }
        let loaded = finishLoad(file: file, bytes: bytes, hash: hash, generation: generation, runner: runner,
                                imageFD: imageFD, hello: hello, process: process)
        if case .success = loaded, let cache = describeCache, let problem = cache.store(hello, for: hash) {
            services.log(.warning, problem, source: "host")
        }
        return loaded
    }

    /// The load after the hello (from a child, or the cache when `process` is nil): the
    /// manifest, the operator's isolation choice, the transport. An unparsable description
    /// closes `imageFD` only with a child: after a cache hit the caller describes in a child next.
    private func finishLoad(file: String, bytes: [UInt8], hash: String, generation: Int, runner: String, imageFD: Int32,
                            hello: RunnerMessage.Hello, process: RunnerProcess?) -> Result<PluginGeneration, PluginRefusal> {
        let name = (file as NSString).lastPathComponent
        let manifest: PluginManifest
        switch PluginManifest.parse(hello.description) {
        case .success(let m): manifest = m
        case .failure(let p):
            process?.kill(because: "invalid description")
            if process != nil { close(imageFD) }
            return .failure(.invalidDescription(file: name, reason: p.description))
        }
        process?.source.withLock { $0 = manifest.id }
        let settings = IsolationSettings(section: providerConfig[manifest.id], id: manifest.id)
        for problem in settings.problems { services.log(.warning, problem, source: "host") }
        if settings.inProcess {
            // The operator's choice (docs/plugin-abi.md §11): loaded like before isolation existed.
            process?.stop(grace: 2)
            close(imageFD)
            return loadInProcess(file: file, bytes: bytes, hash: hash, generation: generation).map(\.generation)
        }
        let transport = IsolatedTransport(runner: runner, fileName: name, hash: hash, generation: generation, id: manifest.id,
                                          settings: settings, limits: limits, services: services, imageFD: imageFD, hello: hello, first: process)
        return .success(PluginGeneration(file: file, number: generation, contentHash: hash, manifest: manifest,
                                         abiMajor: hello.abiMajor, abiMinor: hello.abiMinor, transport: transport, tracker: tracker))
    }
}
