//! IP networks for `IpAddress` / `NotIpAddress` (SEMANTICS.md C13).
//!
//! Accepted policy values: an IPv4 or IPv6 address as `std::net` reads it
//! (dotted quad without leading zeros; RFC 4291 text for IPv6, embedded IPv4
//! allowed, no zone id), optionally followed by `/` and a decimal prefix
//! length of one to three ASCII digits, at most 32 (IPv4) or 128 (IPv6).
//! A bare address is a /32 or /128 network. Host bits under the prefix are
//! ignored (`10.1.2.3/8` is `10.0.0.0/8`).
//!
//! Request values are bare addresses only. An IPv4 address never lies in an
//! IPv6 network and vice versa, also for IPv4-mapped IPv6 addresses
//! (`::ffff:10.0.0.1` is an IPv6 address).

use std::net::IpAddr;

/// An address family, the address as an integer, and the prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Network {
    /// INVARIANT: prefix ≤ 32.
    V4(u32, u32),
    /// INVARIANT: prefix ≤ 128.
    V6(u128, u32),
}

impl Network {
    /// Reads a policy value (`10.0.0.0/8`, `2001:db8::/32`, `203.0.113.5`).
    pub(super) fn parse(text: &str) -> Option<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => {
                if prefix.is_empty()
                    || prefix.len() > 3
                    || !prefix.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                (address, Some(prefix.parse::<u32>().ok()?))
            }
            None => (text, None),
        };
        match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => {
                let prefix = prefix.unwrap_or(32);
                (prefix <= 32).then_some(Network::V4(u32::from(a), prefix))
            }
            IpAddr::V6(a) => {
                let prefix = prefix.unwrap_or(128);
                (prefix <= 128).then_some(Network::V6(u128::from(a), prefix))
            }
        }
    }

    /// Whether `address` lies in this network.
    pub(super) fn contains(self, address: IpAddr) -> bool {
        match (self, address) {
            (Network::V4(net, prefix), IpAddr::V4(a)) => {
                // The top `prefix` bits agree.
                prefix == 0 || (net ^ u32::from(a)) >> (32 - prefix) == 0
            }
            (Network::V6(net, prefix), IpAddr::V6(a)) => {
                prefix == 0 || (net ^ u128::from(a)) >> (128 - prefix) == 0
            }
            _ => false,
        }
    }
}

/// Reads a request value: a bare IPv4 or IPv6 address.
pub(super) fn address(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    fn net(text: &str) -> Network {
        Network::parse(text).unwrap_or_else(|| panic!("{text:?} parses"))
    }

    /// Whether the request value `text` lies in `net`; `None` if it is not
    /// an address.
    trait Contains {
        fn has(self, text: &str) -> Option<bool>;
    }

    impl Contains for Network {
        fn has(self, text: &str) -> Option<bool> {
            address(text).map(|a| self.contains(a))
        }
    }

    #[test]
    fn c13_networks_and_bare_addresses() {
        assert_eq!(net("10.0.0.0/8").has("10.255.1.2"), Some(true));
        assert_eq!(net("10.0.0.0/8").has("11.0.0.0"), Some(false));
        assert_eq!(net("10.1.2.3/8").has("10.9.9.9"), Some(true)); // host bits ignored
        assert_eq!(net("203.0.113.5").has("203.0.113.5"), Some(true)); // X40: /32
        assert_eq!(net("203.0.113.5").has("203.0.113.6"), Some(false));
        assert_eq!(net("0.0.0.0/0").has("198.51.100.1"), Some(true));
        assert_eq!(net("192.0.2.0/31").has("192.0.2.1"), Some(true));
        assert_eq!(net("192.0.2.0/31").has("192.0.2.2"), Some(false));
    }

    #[test]
    fn c13_ipv6() {
        assert_eq!(net("2001:db8::/32").has("2001:db8:1::7"), Some(true));
        assert_eq!(net("2001:db8::/32").has("2001:db9::1"), Some(false));
        assert_eq!(net("2001:DB8::1").has("2001:db8:0:0:0:0:0:1"), Some(true)); // /128
        assert_eq!(net("2001:db8::1").has("2001:db8::2"), Some(false));
        assert_eq!(net("::/0").has("::1"), Some(true));
    }

    #[test]
    fn c13_families_never_mix() {
        assert_eq!(net("0.0.0.0/0").has("::1"), Some(false));
        assert_eq!(net("::/0").has("10.0.0.1"), Some(false));
        assert_eq!(net("10.0.0.0/8").has("::ffff:10.0.0.1"), Some(false));
        assert_eq!(net("::ffff:0:0/96").has("10.0.0.1"), Some(false));
    }

    #[test]
    fn malformed_values_are_rejected() {
        for bad in [
            "",
            "10.0.0",
            "10.0.0.0/",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/+8",
            "10.0.0.0/-1",
            "10.0.0.0/0008",
            "10.0.0.0/8/8",
            "010.0.0.1",
            "10.0.0.256",
            " 10.0.0.1",
            "fe80::1%eth0",
            "10.*",
        ] {
            assert_eq!(Network::parse(bad), None, "{bad:?}");
        }
        assert_eq!(net("10.0.0.0/08"), net("10.0.0.0/8"));
        // Request values: bare addresses only.
        assert_eq!(net("10.0.0.0/8").has("10.0.0.0/8"), None);
        assert_eq!(net("10.0.0.0/8").has("not an ip"), None);
        assert_eq!(net("10.0.0.0/8").has(""), None);
    }
}
