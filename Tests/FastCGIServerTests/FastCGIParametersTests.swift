import Foundation
import Testing
import FastCGIServer

@Suite struct FastCGIParametersTests {
    private func parse(_ entries: [String]) -> [String: String] {
        var pointers: [UnsafeMutablePointer<CChar>?] = entries.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { FastCGIParameters.dictionary(from: $0.baseAddress) }
    }

    @Test func aRepeatedParameterKeepsItsLastValue() {
        #expect(parse(["CONTENT_LENGTH=12", "CONTENT_LENGTH=", "OIDC_ACTION=auth"]) == ["CONTENT_LENGTH": "", "OIDC_ACTION": "auth"])
    }

    @Test func repeatedHeadersAreJoinedAsHTTPJoinsThem() {
        let params = parse(["HTTP_AUTHORIZATION=Bearer good", "HTTP_AUTHORIZATION=Bearer other", "HTTP_COOKIE=a=1", "HTTP_COOKIE=b=2"])
        #expect(params["HTTP_AUTHORIZATION"] == "Bearer good, Bearer other")
        #expect(params["HTTP_COOKIE"] == "a=1; b=2")
        let more = parse(["HTTP_X_A=1", "HTTP_X_A=2", "HTTP_X_A=3", "HTTPS=off", "HTTPS=on", "HTTP=x", "HTTP=y"])
        #expect(more["HTTP_X_A"] == "1, 2, 3", "in the order they came")
        #expect(more["HTTPS"] == "on", "not a header: the last value")
        #expect(more["HTTP"] == "y", "not a header either")
    }

    @Test func entriesWithoutAnEqualsSignAreSkippedAndValuesMayHoldOne() {
        #expect(parse(["NOEQUALS", "QUERY_STRING=a=b&c=d"]) == ["QUERY_STRING": "a=b&c=d"])
    }
}
