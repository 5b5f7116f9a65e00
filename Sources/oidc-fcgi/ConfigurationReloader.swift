import Configuration
import FastCGIServer
import Foundation
import Synchronization
import Logging

/// SIGHUP: reads the configuration file (and the secret files it names)
/// again on a thread of its own. A valid file replaces the running responder
/// for new requests, keeping what `ReloadPlan` says survives; an invalid one
/// is refused with each problem logged, and the running configuration stays.
final class ConfigurationReloader: Sendable {
    private let file: String
    private let live: LiveResponder
    private let logger: Logger
    private let running: Mutex<ServiceConfiguration>

    init(file: String, running service: ServiceConfiguration, live: LiveResponder, logger: Logger) {
        self.file = file
        self.live = live
        self.logger = logger
        running = Mutex(service)
    }

    /// Waits for SIGHUP on a background thread, for the life of the process.
    func start() {
        let thread = Thread { [self] in
            while ReloadSignal.waitForRequest() { reload() }
        }
        thread.name = "oidc-fcgi-reload"
        thread.start()
    }

    func reload() {
        let new: ServiceConfiguration
        do { new = try ConfigurationLoader.load(file: file) } catch {
            // Problems name keys and say what is wrong; only a YAML syntax error
            // quotes the file, and its first line is enough (no value follows).
            for problem in error.problems {
                logger.error("configuration reload refused: \(problem.description.prefix { $0 != "\n" })", metadata: ["file": "\(file)"])
            }
            logger.error("configuration reload refused; still running the previous configuration", metadata: ["file": "\(file)"])
            return
        }
        let old = running.withLock { $0 }
        let plan = ReloadPlan(running: old, read: new)
        for line in plan.needsRestart { logger.warning("\(line)") }
        for warning in ConfigurationWarnings.of(plan.applied) { logger.warning("\(warning)") }
        let built: Wiring.Built
        do { built = try Wiring.build(plan.applied, logger: logger, reusing: (live.built, plan)) } catch {
            logger.error("configuration reload refused: \(error); still running the previous configuration", metadata: ["file": "\(file)"])
            return
        }
        live.replace(with: built)
        running.withLock { $0 = plan.applied }
        logger.info("configuration reloaded", metadata: [
            "changed": "\(plan.changes.isEmpty ? "nothing" : plan.changes.joined(separator: ", "))",
            "sessions": "\(plan.keepsStore ? "kept" : "new store")",
            "provider_caches_kept": "\(plan.providersKeepingCaches.sorted().joined(separator: " "))",
        ])
    }
}
