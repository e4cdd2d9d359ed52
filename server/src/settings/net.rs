//! Address ranges, for `SWITCHBOARD_TRUSTED_PROXIES`.

use std::net::IpAddr;

use anyhow::{bail, Context as _};

/// An address range: an IP address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet(ipnet::IpNet);

impl IpNet {
    /// Parses `10.0.0.0/8`, `::1` or `192.168.1.4`.
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let value = raw.trim();
        let net = match value.parse::<ipnet::IpNet>() {
            Ok(net) => net,
            Err(_) if !value.contains('/') => value
                .parse::<IpAddr>()
                .map(ipnet::IpNet::from)
                .with_context(|| format!("{raw:?} is not an IP address or CIDR range"))?,
            Err(_) => bail!("{raw:?} is not an IP address or CIDR range with a valid prefix"),
        };
        Ok(Self(net))
    }

    /// Whether `ip` is in the range; an IPv4 address written as IPv6 (`::ffff:10.0.0.1`)
    /// counts as itself.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.0.contains(&ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxy_ranges_match_addresses_inside_them_only() {
        let net = IpNet::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one = IpNet::parse("::1").unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
    }
}
