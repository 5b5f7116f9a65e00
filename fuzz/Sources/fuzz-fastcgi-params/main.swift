// FastCGI parameters as libfcgi hands them over: a NULL-terminated array of
// "NAME=value" C strings, here one per NUL-separated field of the input,
// then read back through Request the way the handlers read them.
import FastCGIServer
import FuzzSupport
import RelyingParty

Fuzzer.run { bytes in
    let fields = FuzzInput(bytes).fields
    let strings = fields.map { field in
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: field.count + 1)
        for (i, byte) in field.enumerated() { copy[i] = CChar(bitPattern: byte) }
        copy[field.count] = 0
        return copy
    }
    defer { strings.forEach { $0.deallocate() } }
    var envp: [UnsafeMutablePointer<CChar>?] = strings + [nil]
    let params = envp.withUnsafeMutableBufferPointer { FastCGIParameters.dictionary(from: $0.baseAddress) }
    let request = Request(params: params)
    _ = request.method
    _ = request.requestURI
    _ = FormEncoding.decode(request.queryString)
    _ = request.header("Cookie")
    _ = request.header("Sec-Fetch-Mode")
    _ = request.allCookies
    _ = request.cookies(named: "oidc_session")
}
