import CFastCGI
import Foundation
import Glibc
import Logging
import RelyingParty

/// The FastCGI server: one listening socket, a fixed set of worker threads each
/// owning one FCGX_Request and looping on FCGX_Accept_r. FastCGI keep-conn is
/// honoured (libfcgi keeps the connection; `finishInput` reads each request's
/// input to its end first). SIGTERM lets in-flight requests finish, then `run` returns.
public final class FastCGIServer: Sendable {
    public struct Options: Sendable {
        public var listen: ListenAddress
        public var socketMode: UInt16?
        public var workers: Int
        public var backlog: Int32
        public var maxBodyBytes: Int
        public var shutdownGraceSeconds: Int

        public init(listen: ListenAddress, socketMode: UInt16? = nil, workers: Int = 4, backlog: Int32 = 256, maxBodyBytes: Int = 64 * 1024, shutdownGraceSeconds: Int = 10) {
            self.shutdownGraceSeconds = shutdownGraceSeconds
            self.listen = listen
            self.socketMode = socketMode
            self.workers = workers
            self.backlog = backlog
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public enum StartError: Error, CustomStringConvertible {
        case cannotListen(String)
        public var description: String {
            switch self { case .cannotListen(let why): return why }
        }
    }

    private let options: Options
    private let responder: @Sendable (Request) -> Response
    private let logger: Logger

    public init(options: Options, logger: Logger, responder: @escaping @Sendable (Request) -> Response) {
        self.options = options
        self.responder = responder
        self.logger = logger
    }

    /// True when started as a CGI program (fd 0 is not a socket): serve one request and exit.
    public static var isCGI: Bool { FCGX_IsCGI() != 0 }

    /// Listens, serves until SIGTERM/SIGINT, then waits for in-flight requests.
    public func run() throws(StartError) {
        guard FCGX_Init() == 0 else { throw .cannotListen("libfcgi failed to initialise") }
        let socket = try openListenSocket()
        ShutdownSignal.listenSocket.store(socket, ordering: .relaxed)
        ShutdownSignal.install()
        logger.info("oidc-fcgi listening", metadata: ["listen": "\(options.listen)", "workers": "\(options.workers)"])

        let finished = DispatchGroup()
        for index in 0..<max(1, options.workers) {
            finished.enter()
            let thread = Thread { [self] in
                ShutdownSignal.blockInCurrentThread()
                self.workerLoop(socket: socket, index: index)
                finished.leave()
            }
            thread.name = "oidc-fcgi-worker-\(index)"
            thread.start()
        }
        // Workers parked on an idle kept-alive FastCGI connection do not see the
        // listen socket close; after a grace period we exit without them.
        var deadline: DispatchTime?
        while finished.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            guard ShutdownSignal.requested.load(ordering: .relaxed) else { continue }
            if deadline == nil { deadline = .now() + .seconds(options.shutdownGraceSeconds) }
            if let deadline, DispatchTime.now() > deadline {
                logger.warning("stopping with workers still waiting on idle kept-alive connections")
                break
            }
        }
        if case .unix(let path) = options.listen { unlink(path) }
        logger.info("oidc-fcgi stopped")
    }

    private func openListenSocket() throws(StartError) -> Int32 {
        guard let path = options.listen.libfcgiPath else { return 0 }
        if case .unix(let socketPath) = options.listen {
            var info = stat()
            if lstat(socketPath, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                    throw .cannotListen("\(socketPath) exists and is not a socket; remove it or choose another `listen` path")
                }
                unlink(socketPath)
            }
        }
        let fd = FCGX_OpenSocket(path, options.backlog)
        guard fd >= 0 else {
            throw .cannotListen("cannot listen on \(options.listen): \(String(cString: strerror(errno))); check the address, that the port is free and the directory is writable")
        }
        if case .unix(let socketPath) = options.listen, let mode = options.socketMode {
            guard chmod(socketPath, mode_t(mode)) == 0 else {
                throw .cannotListen("cannot set mode \(String(mode, radix: 8)) on \(socketPath): \(String(cString: strerror(errno)))")
            }
        }
        return fd
    }

    private func workerLoop(socket: Int32, index: Int) {
        var request = FCGX_Request()
        guard FCGX_InitRequest(&request, socket, 0) == 0 else {
            logger.error("worker could not initialise its request", metadata: ["worker": "\(index)"])
            return
        }
        while !ShutdownSignal.requested.load(ordering: .relaxed) {
            let accepted = FCGX_Accept_r(&request)
            if accepted < 0 {
                if ShutdownSignal.requested.load(ordering: .relaxed) { break }
                if errno == EINTR { continue }
                logger.error("FCGX_Accept_r failed", metadata: ["worker": "\(index)", "code": "\(accepted)"])
                break
            }
            serve(&request)
            finishInput(&request)
            FCGX_Finish_r(&request)
        }
        FCGX_Free(&request, 0)
    }

    private func serve(_ request: inout FCGX_Request) {
        var params = FastCGIParameters.dictionary(from: request.envp)
        if request.role == FCGI_AUTHORIZER { params["FCGI_ROLE"] = "AUTHORIZER" }
        let body = readBody(request.in, contentLength: Int(params["CONTENT_LENGTH"] ?? "") ?? 0)
        let response = responder(Request(params: params, body: body))
        var out = ResponseEncoding.headerBlock(response)
        out += response.body
        out.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                _ = FCGX_PutStr($0, Int32(buffer.count), request.out)
            }
        }
    }

    /// On a kept-alive connection (FCGI_KEEP_CONN) the next request follows
    /// this one's STDIN stream on the same socket. libfcgi 2.4 neither skips
    /// what the responder left unread (the end-of-STDIN record when it arrives
    /// after the parameters were read, a body beyond CONTENT_LENGTH or
    /// maxBodyBytes) nor tolerates it: the next FCGX_Accept_r takes the
    /// leftover record for a protocol error and drops the connection, so the
    /// web server's next request on it fails. Hence: send the answer's data,
    /// then read this request's input to its end; FCGX_Finish_r then sends
    /// FCGI_END_REQUEST. (Not END_REQUEST first: the web server could then send
    /// its next request while we still read, and libfcgi would read it into
    /// this request's buffer and lose it.)
    private func finishInput(_ request: inout FCGX_Request) {
        // `keepConnection` is set by libfcgi from FCGI_BEGIN_REQUEST's flags.
        guard request.keepConnection != 0, let input = request.in else { return }
        _ = FCGX_FFlush(request.out)
        var scratch = [CChar](repeating: 0, count: 4096)
        while true {
            let read = scratch.withUnsafeMutableBufferPointer { FCGX_GetStr($0.baseAddress, Int32($0.count), input) }
            if read <= 0 { break }
        }
    }

    private func readBody(_ stream: UnsafeMutablePointer<FCGX_Stream>?, contentLength: Int) -> [UInt8] {
        guard contentLength > 0, let stream else { return [] }
        let wanted = min(contentLength, options.maxBodyBytes)
        var body = [UInt8](repeating: 0, count: wanted)
        let read = body.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: wanted) { FCGX_GetStr($0, Int32(wanted), stream) }
        }
        return Array(body.prefix(max(0, Int(read))))
    }
}
