import Testing
@testable import FastCGIServer

@Suite struct WebServerAddressesTests {
    @Test func unsetOrEmptyAllowsEveryPeer() {
        for list in [nil, "", " , ,"] as [String?] {
            let addresses = WebServerAddresses(list)
            #expect(addresses.allowsAll)
            #expect(addresses.allows(peer: "192.0.2.7"))
            #expect(addresses.allows(peer: "2001:db8::1"))
        }
    }

    @Test func allowsOnlyTheListedIPv4Peers() {
        let addresses = WebServerAddresses("127.0.0.1, 10.0.0.5")
        #expect(!addresses.allowsAll)
        #expect(addresses.allows(peer: "127.0.0.1"))
        #expect(addresses.allows(peer: "10.0.0.5"))
        #expect(!addresses.allows(peer: "10.0.0.6"))
        #expect(!addresses.allows(peer: "::1"))
    }

    @Test func ipv6EntriesAreComparedInCanonicalForm() {
        let addresses = WebServerAddresses("0:0:0:0:0:0:0:1,2001:DB8:0::10")
        #expect(addresses.allowed == ["::1", "2001:db8::10"])
        #expect(addresses.allows(peer: "::1"))
        #expect(addresses.allows(peer: "2001:db8::10"))
        #expect(!addresses.allows(peer: "127.0.0.1"))
    }

    @Test func anIPv4MappedEntryMatchesTheIPv4Peer() {
        // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; both spellings mean the same host.
        #expect(WebServerAddresses("::ffff:127.0.0.1").allowed == ["127.0.0.1"])
    }

    @Test func entriesThatAreNotAddressesRefuseEveryone() {
        let addresses = WebServerAddresses("localhost, 127.0.0.1/8, 300.1.1.1")
        #expect(addresses.rejected == ["localhost", "127.0.0.1/8", "300.1.1.1"])
        #expect(!addresses.allowsAll)
        #expect(!addresses.allows(peer: "127.0.0.1"))
        #expect(!addresses.allows(peer: "::1"))
    }

    @Test func oneBadEntryKeepsTheGoodOnesAndReportsTheBadOne() {
        let addresses = WebServerAddresses("127.0.0.1,web-1")
        #expect(addresses.rejected == ["web-1"])
        #expect(addresses.allows(peer: "127.0.0.1"))
        #expect(!addresses.allows(peer: "10.0.0.1"))
    }
}
