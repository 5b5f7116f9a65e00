import Foundation
import Glibc

/// A small HTTP/1.1 server in Python, started for the tests on a port the
/// kernel picks (it prints the port on its first line), stopped by PID.
///
///   GET  /hello           200 "hello, world" with an X-Test header
///   POST /echo            200, JSON {"method", "body" (hex), "headers" {lower-cased name: value}}
///   GET  /client-port     200 with the client's TCP port (tells connections apart)
///   GET  /missing         404 with a body
///   GET  /redirect        302 to /hello
///   GET  /slow?ms=N       waits N ms, then 200
///   GET  /bytes?n=N       200 with N bytes (Content-Length set)
///   GET  /stream?n=N      200 with N bytes, chunked (no Content-Length)
final class TestHTTPServer: @unchecked Sendable {
    // @unchecked: owned by the one test that started it.
    struct StartFailure: Error, CustomStringConvertible { let description: String }

    private static let script = #"""
import http.server, json, socketserver, sys, time, urllib.parse

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/hello":
            self.reply(200, b"hello, world", [("Content-Type", "text/plain"), ("X-Test", "Yes"), ("X-Multi", "a"), ("X-Multi", "b")])
        elif url.path == "/client-port":
            self.reply(200, str(self.client_address[1]).encode())
        elif url.path == "/missing":
            self.reply(404, b"not here", [("Content-Type", "text/plain")])
        elif url.path == "/redirect":
            self.reply(302, b"", [("Location", "/hello")])
        elif url.path == "/slow":
            time.sleep(int(query["ms"][0]) / 1000.0)
            self.reply(200, b"late")
        elif url.path == "/bytes":
            self.reply(200, b"x" * int(query["n"][0]))
        elif url.path == "/stream":
            n = int(query["n"][0])
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"y" * 8192
            sent = 0
            try:
                while sent < n:
                    part = chunk[: min(len(chunk), n - sent)]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    sent += len(part)
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self.reply(404, b"unknown")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if self.path == "/echo":
            answer = {
                "method": self.command,
                "body": body.hex(),
                "headers": {name.lower(): value for name, value in self.headers.items()},
            }
            self.reply(200, json.dumps(answer).encode(), [("Content-Type", "application/json")])
        else:
            self.reply(404, b"unknown")

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#

    private let process: Process
    let port: UInt16

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        child.arguments = ["-u", "-c", Self.script]
        let output = Pipe()
        child.standardInput = FileHandle.nullDevice
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try ChildProcess.run(child)
        process = child

        // Read the port line, waiting at most 10 s.
        let reader = output.fileHandleForReading
        var pollDescriptor = pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)
        var line: [UInt8] = []
        let deadline = Date().addingTimeInterval(10)
        while !line.contains(UInt8(ascii: "\n")) && Date() < deadline {
            guard poll(&pollDescriptor, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = read(reader.fileDescriptor, &buffer, buffer.count)
            if count <= 0 { break }
            line += buffer[0..<count]
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = UInt16(text) else {
            Self.stop(child)
            throw StartFailure(description: "test HTTP server did not report its port (got \"\(text)\")")
        }
        self.port = port
    }

    deinit { stop() }

    func stop() { Self.stop(process) }

    private static func stop(_ child: Process) {
        guard child.isRunning else { return }
        kill(child.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(3)
        while child.isRunning && Date() < deadline { usleep(10_000) }
        if child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            let hardDeadline = Date().addingTimeInterval(3)
            while child.isRunning && Date() < hardDeadline { usleep(10_000) }
        }
    }
}
