/// The answers oidc-fcgi writes itself when something stops a login: a short
/// HTML page for browsers, JSON for everything else. Messages are for users and
/// operators; they never carry a secret or a token.
public enum ErrorPage {
    public static func response(status: Int, title: String, message: String, for request: Request, headers: [Response.Header] = []) -> Response {
        var all = headers
        all.append(Response.Header(.cacheControl, "no-store"))
        if RequestClassifier.isNavigation(request) {
            all.append(Response.Header(.contentType, "text/html; charset=utf-8"))
            let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
            </head><body><h1>\(escape(title))</h1><p>\(escape(message))</p><p><a href="/">Go to the start page</a></p></body></html>

            """
            return Response(status: status, headers: all, body: Array(page.utf8))
        }
        all.append(Response.Header(.contentType, "application/json"))
        let json = "{\"error\":\"\(jsonEscape(title))\",\"error_description\":\"\(jsonEscape(message))\"}"
        return Response(status: status, headers: all, body: Array(json.utf8))
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func jsonEscape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}

import Foundation
