//! Each client network's share of the open connections, so that one host (or one IPv6 /64)
//! cannot take every slot. Reverse proxies in `SWITCHBOARD_TRUSTED_PROXIES` are exempt: every
//! client behind them arrives from their address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use switchboard::domain::ClientNetwork;

use crate::settings::IpNet;

/// The open connections per client network, each network allowed `per_network`.
#[derive(Debug)]
pub struct AddressShares {
    per_network: usize,
    exempt: Vec<IpNet>,
    open: Mutex<HashMap<ClientNetwork, usize>>,
}

/// A network's share is full.
#[derive(Debug)]
pub struct ShareRefused {
    /// The network, for the log.
    pub network: ClientNetwork,
}

/// One connection counted in its network's share, until dropped.
#[derive(Debug)]
pub struct ShareHeld {
    shares: Arc<AddressShares>,
    network: Option<ClientNetwork>,
}

impl AddressShares {
    /// Shares of `per_network` connections; peers inside `exempt` are not counted.
    pub fn new(per_network: usize, exempt: Vec<IpNet>) -> Arc<Self> {
        Arc::new(Self {
            per_network,
            exempt,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// Counts a connection from `peer`, or refuses it when its network holds its share.
    pub fn take(self: &Arc<Self>, peer: IpAddr) -> Result<ShareHeld, ShareRefused> {
        if self.exempt.iter().any(|net| net.contains(peer)) {
            return Ok(ShareHeld {
                shares: self.clone(),
                network: None,
            });
        }
        let network = ClientNetwork::of(peer);
        let mut open = self.open.lock().expect("connection shares lock");
        let count = open.entry(network).or_default();
        if *count >= self.per_network {
            return Err(ShareRefused { network });
        }
        *count += 1;
        Ok(ShareHeld {
            shares: self.clone(),
            network: Some(network),
        })
    }

    /// Connections open from `peer`'s network.
    #[cfg(test)]
    fn open_from(&self, peer: IpAddr) -> usize {
        let open = self.open.lock().expect("connection shares lock");
        open.get(&ClientNetwork::of(peer)).copied().unwrap_or(0)
    }
}

impl Drop for ShareHeld {
    fn drop(&mut self) {
        let Some(network) = self.network else { return };
        let mut open = self.shares.open.lock().expect("connection shares lock");
        if let Some(count) = open.get_mut(&network) {
            *count -= 1;
            if *count == 0 {
                open.remove(&network);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_holds_its_share_and_gets_a_slot_back_when_one_closes() {
        let shares = AddressShares::new(2, vec![IpNet::parse("10.0.0.0/8").unwrap()]);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let a = shares.take(ip("2001:db8::1")).unwrap();
        let _b = shares.take(ip("2001:db8::2")).unwrap();
        assert!(
            shares.take(ip("2001:db8::3")).is_err(),
            "one /64, one share"
        );
        assert!(shares.take(ip("2001:db8:0:1::1")).is_ok());
        drop(a);
        assert_eq!(shares.open_from(ip("2001:db8::9")), 1);
        assert!(shares.take(ip("2001:db8::3")).is_ok());
        let proxied: Vec<_> = (0..5)
            .map(|_| shares.take(ip("10.1.2.3")).unwrap())
            .collect();
        assert_eq!(proxied.len(), 5, "a trusted proxy is not counted");
        assert_eq!(shares.open_from(ip("10.1.2.3")), 0);
    }
}
