import CFastCGI
import Foundation
import Glibc
import Logging
import RelyingParty

/// The FastCGI server: one listening socket and a fixed set of worker
/// threads. Each worker accepts a connection (`ConnectionAcceptor`), then lets
/// its own FCGX_Request read and write the requests on it. FastCGI keep-conn
/// is honoured (`finishInput` reads each request's input to its end first).
/// Reading one request may take at most `readTimeoutMilliseconds`, however
/// slowly it arrives, and a kept-alive connection idle that long is closed.
/// SIGTERM: queued connections and requests in flight are served, then `run` returns.
public final class FastCGIServer: Sendable {
    public struct Options: Sendable {
        public var listen: ListenAddress
        public var socketMode: UInt16?
        public var workers: Int
        public var backlog: Int32
        public var maxBodyBytes: Int
        public var readTimeoutMilliseconds: Int
        public var shutdownGraceSeconds: Int

        public init(
            listen: ListenAddress, socketMode: UInt16? = nil, workers: Int = 4, backlog: Int32 = 256, maxBodyBytes: Int = 64 * 1024,
            readTimeoutMilliseconds: Int = 5000, shutdownGraceSeconds: Int = 10
        ) {
            self.listen = listen
            self.socketMode = socketMode
            self.workers = max(1, workers)
            self.backlog = backlog
            self.maxBodyBytes = maxBodyBytes
            self.readTimeoutMilliseconds = readTimeoutMilliseconds
            self.shutdownGraceSeconds = shutdownGraceSeconds
        }
    }

    public enum StartError: Error, CustomStringConvertible {
        case cannotListen(String)
        public var description: String {
            switch self { case .cannotListen(let why): return why }
        }
    }

    /// Input a request may send beyond what the answer needed (a body over
    /// `maxBodyBytes`) that is still read to keep the connection; past it the
    /// connection is closed instead.
    static let maxDiscardedInputBytes = 1 << 20

    private let options: Options
    private let responder: @Sendable (Request) -> Response
    private let logger: Logger
    private let deadlines: IODeadlines
    private let activity: any WorkerActivity

    public init(options: Options, logger: Logger, activity: any WorkerActivity = UnobservedWorkers(),
                responder: @escaping @Sendable (Request) -> Response) {
        self.activity = activity
        self.options = options
        self.responder = responder
        self.logger = logger
        self.deadlines = IODeadlines(workers: options.workers)
    }

    /// True when started as a CGI program (fd 0 is not a socket): serve one request and exit.
    public static var isCGI: Bool { FCGX_IsCGI() != 0 }

    /// Listens, serves until SIGTERM/SIGINT, then serves what is queued and in flight.
    public func run() throws(StartError) {
        guard FCGX_Init() == 0 else { throw .cannotListen("libfcgi failed to initialise") }
        let socket = try openListenSocket()
        let webServers = WebServerAddresses(ProcessInfo.processInfo.environment["FCGI_WEB_SERVER_ADDRS"])
        if !webServers.rejected.isEmpty {
            logger.error("FCGI_WEB_SERVER_ADDRS has entries that are not IP addresses; TCP connections from anywhere not listed are refused", metadata: ["entries": "\(webServers.rejected)"])
        }
        let acceptor = ConnectionAcceptor(listenFD: socket, webServers: webServers, logger: logger)
        ShutdownSignal.install()
        logger.info("oidc-fcgi listening", metadata: ["listen": "\(options.listen)", "workers": "\(options.workers)"])

        let finished = DispatchGroup()
        for index in 0..<options.workers {
            finished.enter()
            let thread = Thread { [self] in
                ShutdownSignal.blockInCurrentThread()
                ReloadSignal.blockInCurrentThread()
                self.workerLoop(index: index, acceptor: acceptor)
                finished.leave()
            }
            thread.name = "oidc-fcgi-worker-\(index)"
            thread.start()
        }
        var deadline: DispatchTime?
        while finished.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            deadlines.expire()
            guard ShutdownSignal.requested.load(ordering: .relaxed) else { continue }
            if deadline == nil {
                deadline = .now() + .seconds(options.shutdownGraceSeconds)
                // New connections are refused from now on; those already queued are served.
                if case .unix(let path) = options.listen { unlink(path) }
                logger.info("stopping: serving the requests in flight and queued")
            }
            if let deadline, DispatchTime.now() > deadline {
                logger.warning("stopping with requests still unfinished after the \(options.shutdownGraceSeconds) s grace period")
                break
            }
        }
        close(socket)
        logger.info("oidc-fcgi stopped")
    }

    private func openListenSocket() throws(StartError) -> Int32 {
        if case .tcp(let host, let port) = options.listen {
            switch TCPListener.open(host: host, port: port, backlog: options.backlog) {
            case .success(let fd): return fd
            case .failure(let error):
                throw .cannotListen("cannot listen on \(options.listen): \(error.reason); check the address and that the port is free")
            }
        }
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

    private func workerLoop(index: Int, acceptor: ConnectionAcceptor) {
        var request = FCGX_Request()
        // No listening socket for libfcgi: connections come from the acceptor.
        guard FCGX_InitRequest(&request, -1, 0) == 0 else {
            logger.error("worker could not initialise its request", metadata: ["worker": "\(index)"])
            return
        }
        while let connection = acceptor.next() {
            serveConnection(connection, index: index, request: &request)
        }
        FCGX_Free(&request, 0)
    }

    /// Serves the requests on one connection until it closes, breaks, times
    /// out or idles. libfcgi gets a duplicate of the descriptor: it closes its
    /// copy when it wants, while ours stays valid for `IODeadlines` to shut
    /// down until we close it.
    private func serveConnection(_ fd: Int32, index: Int, request: inout FCGX_Request) {
        let libfcgiFD = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard libfcgiFD >= 0 else {
            logger.warning("cannot serve a FastCGI connection: \(String(cString: strerror(errno)))")
            close(fd)
            return
        }
        request.ipcFd = libfcgiFD
        // Keeps the connection through the FCGX_Finish_r that starts
        // FCGX_Accept_r; the web server's BEGIN_REQUEST then sets it.
        request.keepConnection = 1
        var firstRequest = true
        while firstRequest || awaitNextRequest(fd) {
            firstRequest = false
            // Closing without libfcgi's lingering read, which a client that
            // keeps sending could stretch without end.
            request.detached = 1
            let accepted = withDeadline(index, fd: fd) { FCGX_Accept_r(&request) }
            // Negative: libfcgi found no complete request (closed, timed out or
            // malformed), closed its descriptor and could not accept another.
            guard accepted >= 0 else { break }
            // libfcgi ends the parameters at a read error as if they were
            // complete; such a request is cut short, not served.
            if !droppedIfCutShort(&request, fd: fd, part: "parameters", uri: nil) {
                activity.workerBusy()
                serve(&request, index: index, fd: fd)
                activity.workerIdle()
            }
            request.detached = 1
            // Sends the answer, then FCGI_END_REQUEST: a web server that does not read cannot hold the worker.
            withDeadline(index, fd: fd) { FCGX_Finish_r(&request) }
            if request.ipcFd < 0 { break }
        }
        if request.ipcFd >= 0 {
            close(request.ipcFd)  // idle or shutting down; the streams are already freed
            request.ipcFd = -1
        }
        deadlines.disarmAndClose(index, fd: fd)
    }

    /// Between requests on a kept-alive connection: true when the next one
    /// begins to arrive; false when the connection idles for the read timeout
    /// or a shutdown begins while it is idle.
    private func awaitNextRequest(_ fd: Int32) -> Bool {
        let idleUntil = IODeadlines.nowMilliseconds() + UInt64(options.readTimeoutMilliseconds)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(ConnectionAcceptor.wakeMilliseconds))
            if ready > 0 { return true }  // data, or the web server closed: libfcgi sees which
            if ready < 0 && errno != EINTR { return false }
            if ShutdownSignal.requested.load(ordering: .relaxed) { return false }
            if IODeadlines.nowMilliseconds() >= idleUntil { return false }
        }
    }

    /// Runs one read from the web server under the read timeout.
    private func withDeadline<T>(_ index: Int, fd: Int32, _ read: () -> T) -> T {
        deadlines.arm(index, fd: fd, milliseconds: options.readTimeoutMilliseconds)
        defer { deadlines.disarm(index) }
        return read()
    }

    /// When the request's input stream failed (timed out, connection gone),
    /// ends the request with no answer at all and returns true. The socket is
    /// shut down first, so the FCGX_Finish_r that follows cannot send an
    /// END_REQUEST the web server would take for an empty answer.
    private func droppedIfCutShort(_ request: inout FCGX_Request, fd: Int32, part: String, uri: String?) -> Bool {
        guard let input = request.in, FCGX_GetError(input) != 0 else { return false }
        var metadata: Logger.Metadata = [:]
        if let uri { metadata["uri"] = "\(uri)" }
        logger.info("FastCGI request \(part) not received in time; request dropped", metadata: metadata)
        shutdown(fd, Int32(SHUT_RDWR))
        request.keepConnection = 0
        return true
    }

    private func serve(_ request: inout FCGX_Request, index: Int, fd: Int32) {
        var params = FastCGIParameters.dictionary(from: request.envp)
        if request.role == FCGI_AUTHORIZER { params["FCGI_ROLE"] = "AUTHORIZER" }
        let input = request.in
        let body = withDeadline(index, fd: fd) { readBody(input, contentLength: Int(params["CONTENT_LENGTH"] ?? "") ?? 0) }
        // A body cut short is not answered: the handler would act on part of what the client sent.
        if droppedIfCutShort(&request, fd: fd, part: "body", uri: params["REQUEST_URI"] ?? "") { return }
        // An authorizer request has no input stream: Apache mod_authnz_fcgi
        // sends parameters only, never an (empty) FCGI_STDIN record, so waiting
        // for the end of one would hold the answer until the read timeout.
        if request.role != FCGI_AUTHORIZER { withDeadline(index, fd: fd) { finishInput(&request) } }
        let response = responder(Request(params: params, body: body))
        var out = ResponseEncoding.headerBlock(response)
        out += response.body
        out.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                _ = FCGX_PutStr($0, Int32(buffer.count), request.out)
            }
        }
        if request.role == FCGI_AUTHORIZER {
            _ = withDeadline(index, fd: fd) { FCGX_FFlush(request.out) }
            request.keepConnection = 0
        }
    }

    /// On a kept-alive connection (FCGI_KEEP_CONN) the next request follows
    /// this one's STDIN stream on the same socket. libfcgi 2.4 neither skips
    /// what the responder left unread (the end-of-STDIN record when it arrives
    /// after the parameters were read, a body beyond CONTENT_LENGTH or
    /// maxBodyBytes) nor tolerates it: the next FCGX_Accept_r takes the
    /// leftover record for a protocol error and drops the connection, so the
    /// web server's next request on it fails. Hence: read this request's input
    /// to its end before answering; FCGX_Finish_r then sends the answer and
    /// FCGI_END_REQUEST together, in one write. (END_REQUEST only after the
    /// input: the web server could otherwise send its next request while we
    /// still read, and libfcgi would read it into this request's buffer and
    /// lose it.) Without keep-conn the same read lets the close be clean:
    /// closing a TCP socket with unread input sends a reset, which can destroy
    /// the answer before the web server reads it.
    private func finishInput(_ request: inout FCGX_Request) {
        guard let input = request.in else { return }
        let closeInstead = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 4096) { scratch -> Bool in
            var discarded = 0
            while true {
                let read = FCGX_GetStr(scratch.baseAddress, Int32(scratch.count), input)
                if read <= 0 { return false }
                discarded += Int(read)
                if discarded > Self.maxDiscardedInputBytes { return true }  // not worth reading on
            }
        }
        if closeInstead { request.keepConnection = 0 }
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
