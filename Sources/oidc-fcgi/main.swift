import FastCGIServer
import Foundation

// Started by a web server as a plain CGI program (no socket on fd 0, CGI
// environment set): answer the one request and exit. Otherwise: the command line.
if FastCGIServer.isCGI, ProcessInfo.processInfo.environment["GATEWAY_INTERFACE"] != nil, CommandLine.arguments.count == 1 {
    CGIEntry.run()
} else {
    OIDCFCGICommand.main()
}
