import Foundation

/// The answers of the endpoints the provider calls: never cached, errors as a
/// small JSON object (`error`, `error_description`) built by an encoder.
enum LogoutAnswer {
    static func success() -> Response {
        Response(status: 200, headers: [Response.Header(.cacheControl, "no-store")])
    }

    static func refused(_ status: Int, error: String, description: String, extra: [Response.Header] = []) -> Response {
        let object = JSONValue.object(["error": .string(error), "error_description": .string(description)])
        let encoded: [UInt8] = (try? JSONEncoder().encode(object)).map { Array($0) } ?? []
        let body = encoded + [0x0A]
        return Response(status: status, headers: [
            Response.Header(.contentType, "application/json"),
            Response.Header(.cacheControl, "no-store"),
        ] + extra, body: body)
    }
}
