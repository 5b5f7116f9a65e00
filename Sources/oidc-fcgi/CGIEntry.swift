import Configuration
import FastCGIServer
import Foundation

/// One request as a CGI program. The configuration file comes from
/// OIDC_FCGI_CONFIG (set it with SetEnv / fastcgi_param), else the default path.
/// Sessions must live in memcached here: a CGI process forgets everything.
enum CGIEntry {
    static func run() {
        // One request per process: nothing to reload, and a SIGHUP must not cut the answer short.
        ReloadSignal.ignore()
        let file = ProcessInfo.processInfo.environment["OIDC_FCGI_CONFIG"] ?? "/etc/oidc-fcgi/config.yaml"
        let service: ServiceConfiguration
        do { service = try ConfigurationLoader.load(file: file) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            FileHandle.standardOutput.write(Data("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\noidc-fcgi: invalid configuration (see the server error log)\n".utf8))
            exit(1)
        }
        let logger = Wiring.bootstrapLogging(level: service.logLevel, format: service.logFormat)
        do {
            let built = try Wiring.build(service, logger: logger, longRunning: false)
            CGIMode.serve(built.respond)
        } catch {
            logger.critical("cannot start: \(error)")
            FileHandle.standardOutput.write(Data("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\noidc-fcgi cannot start (see the server error log)\n".utf8))
            exit(1)
        }
    }
}
