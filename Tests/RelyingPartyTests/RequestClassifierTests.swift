import Testing
import RelyingParty

@Suite struct RequestClassifierTests {
    private func request(_ method: String = "GET", _ headers: [String: String] = [:]) -> Request {
        .browser(method: method, headers: headers)
    }

    @Test func browserNavigationsMayLogIn() {
        #expect(RequestClassifier.isNavigation(request("GET", ["Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"])))
        #expect(RequestClassifier.isNavigation(request("GET", ["Sec-Fetch-Mode": "navigate", "Accept": "application/json"])))
        #expect(RequestClassifier.isNavigation(request("GET")))
        #expect(RequestClassifier.isNavigation(request("HEAD", ["Accept": "*/*"])))
    }

    @Test func apiCallsAndNonGETGetA401() {
        #expect(!RequestClassifier.isNavigation(request("GET", ["Accept": "application/json"])))
        #expect(!RequestClassifier.isNavigation(request("GET", ["X-Requested-With": "XMLHttpRequest", "Accept": "text/html"])))
        #expect(!RequestClassifier.isNavigation(request("GET", ["Sec-Fetch-Mode": "cors", "Accept": "text/html"])))
        #expect(!RequestClassifier.isNavigation(request("GET", ["Sec-Fetch-Dest": "image"])))
        #expect(!RequestClassifier.isNavigation(request("POST", ["Accept": "text/html"])))
        #expect(!RequestClassifier.isNavigation(request("DELETE")))
    }

    @Test func acceptIsMatchedInAnyCaseAnywhereInTheList() {
        #expect(RequestClassifier.isNavigation(request("GET", ["Accept": "TEXT/HTML"])))
        #expect(RequestClassifier.isNavigation(request("GET", ["Accept": "image/webp, Application/XHTML+XML"])))
        #expect(RequestClassifier.isNavigation(request("GET", ["Accept": "application/json;q=0.5, */*"])))
        #expect(!RequestClassifier.isNavigation(request("GET", ["Accept": "text/htm"])), "a prefix of text/html is not it")
        #expect(!RequestClassifier.isNavigation(request("GET", ["Accept": "text/plain, image/*"])))
        #expect(!RequestClassifier.isNavigation(request("GET", ["Accept": "t"])), "shorter than every type looked for")
    }
}
