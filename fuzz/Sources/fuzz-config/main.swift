// The YAML configuration loader, on any bytes: parse errors and problems are
// fine, a crash or a hang is not. Relative secret files resolve under a
// directory that does not exist, so no real file is read.
import Configuration
import FuzzSupport

Fuzzer.run { bytes in
    _ = try? ConfigurationLoader.parse(yaml: FuzzInput(bytes).text, file: "fuzz.yaml", baseDirectory: "/nonexistent-oidc-fcgi-fuzz")
}
