//! A client's network as limits count it.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// A client's network: an IPv4 address, or the /64 an IPv6 address belongs to. One home, one
/// phone or one cloud machine is given a whole /64, so counting single IPv6 addresses would let
/// one client take 2^64 shares of every per-address limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientNetwork(IpAddr);

impl ClientNetwork {
    /// The network `ip` counts in. An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) counts
    /// as that IPv4 address.
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Self(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }

    /// Parses an address as `ClientIp` carries it; `None` when it is not an IP address.
    pub fn parse(raw: &str) -> Option<Self> {
        raw.trim().parse().ok().map(Self::of)
    }
}

impl fmt::Display for ClientNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_one_ipv6_64_are_one_network_and_ipv4_stays_whole() {
        let a = ClientNetwork::parse("2001:db8:1:2:aaaa::1").unwrap();
        let b = ClientNetwork::parse("2001:db8:1:2:ffff:ffff:ffff:ffff").unwrap();
        let other = ClientNetwork::parse("2001:db8:1:3::1").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_eq!(
            ClientNetwork::parse("::ffff:192.0.2.7").unwrap(),
            ClientNetwork::parse("192.0.2.7").unwrap()
        );
        assert_ne!(
            ClientNetwork::parse("192.0.2.7").unwrap(),
            ClientNetwork::parse("192.0.2.8").unwrap()
        );
        assert_eq!(ClientNetwork::parse("not an address"), None);
    }
}
