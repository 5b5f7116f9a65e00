import Foundation
import RelyingParty

/// Serves the one request of a CGI invocation (environment + stdin in, stdout out).
public enum CGIMode {
    public static func serve(_ respond: (Request) -> Response, maxBodyBytes: Int = 64 * 1024) {
        var params = ProcessInfo.processInfo.environment
        params["GATEWAY_INTERFACE"] = params["GATEWAY_INTERFACE"] ?? "CGI/1.1"
        var body: [UInt8] = []
        if let length = Int(params["CONTENT_LENGTH"] ?? ""), length > 0 {
            let data = FileHandle.standardInput.readData(ofLength: min(length, maxBodyBytes))
            body = Array(data)
        }
        let response = respond(Request(params: params, body: body))
        var out = ResponseEncoding.headerBlock(response)
        out += response.body
        FileHandle.standardOutput.write(Data(out))
    }
}
