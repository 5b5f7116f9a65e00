import CFuzzerDriver
import Foundation

/// Runs libFuzzer with `body` as the test of one input and exits with its
/// status. libFuzzer keeps its own flags (`-max_total_time`, corpus dirs…) in
/// argv. A crash, a failed precondition or a sanitizer report is a finding.
public enum Fuzzer {
    // libFuzzer wants a C function pointer, which cannot capture: the body
    // waits here. Written once before the driver starts, read only by the
    // driver's single fuzzing thread.
    nonisolated(unsafe) private static var body: ([UInt8]) -> Void = { _ in }

    public static func run(_ test: @escaping ([UInt8]) -> Void) -> Never {
        body = test
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
            Fuzzer.body(bytes)
            return 0
        }
        exit(status)
    }
}
