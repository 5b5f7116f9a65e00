// The YAML configuration loader, on any bytes as read from disk: parse errors
// and problems are fine, a crash or a hang is not. Relative secret files
// resolve under a directory that does not exist, so no real file is read.
import Configuration
import FuzzSupport

Fuzzer.run { bytes in
    do throws(ConfigurationError) {
        _ = try ConfigurationLoader.parse(bytes: bytes, file: "fuzz.yaml", baseDirectory: "/nonexistent-oidc-fcgi-fuzz")
    } catch {
        // The report stays bounded whatever the file holds.
        precondition(error.problems.count <= ConfigurationError.maximumReported, "unbounded problem report")
        _ = error.description
    }
}
