//! The SSRF guard: outbound targets that resolve to loopback, private, link-local, shared,
//! multicast or cloud-metadata addresses are refused unless the operator allows private
//! targets. Hostnames are checked after resolution, and the HTTP client resolves through the
//! guard itself, so a name cannot pass the check and then connect somewhere else.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// Whether private addresses may be targeted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetPolicy {
    /// `--allow-private-targets`: for tests and private deployments.
    pub allow_private: bool,
}

/// True when `ip` is not a public unicast address.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7 (includes fd00:ec2::254)
                || (seg[0] & 0xffc0) == 0xfe80 // link-local
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0064 && seg[1] == 0xff9b) // NAT64 can reach private v4
        }
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, includes 169.254.169.254 metadata
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space 100.64/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || o[0] >= 240 // reserved
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The name did not resolve.
    #[error("cannot resolve {0}")]
    Unresolvable(String),
    /// Every address of the target is private.
    #[error("target {0} resolves to a private or reserved address; refused (see --allow-private-targets)")]
    Private(String),
}

impl TargetPolicy {
    /// Resolves `host:port` and keeps only the addresses the policy allows.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, GuardError> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|_| GuardError::Unresolvable(host.to_owned()))?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(GuardError::Unresolvable(host.to_owned()));
        }
        let allowed: Vec<SocketAddr> =
            addrs.into_iter().filter(|a| self.allow_private || !is_private(a.ip())).collect();
        if allowed.is_empty() {
            return Err(GuardError::Private(host.to_owned()));
        }
        Ok(allowed)
    }

    /// Checks a URL whose host is a literal IP address: those never reach a DNS resolver, so
    /// [`GuardedResolver`] cannot see them. Host names pass here and are checked on resolution.
    pub fn check_literal_ip(&self, url: &reqwest::Url) -> Result<(), GuardError> {
        let Some(host) = url.host_str() else { return Err(GuardError::Unresolvable(url.to_string())) };
        match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            Ok(ip) if !self.allow_private && is_private(ip) => Err(GuardError::Private(host.to_owned())),
            _ => Ok(()),
        }
    }

    /// Resolves and checks a URL's host, for clients that do their own resolution (the AWS
    /// SDK). A name could resolve differently a moment later; the webhook client avoids that
    /// by resolving through [`GuardedResolver`] instead.
    pub async fn check_url(&self, url: &reqwest::Url) -> Result<(), GuardError> {
        let host = url.host_str().ok_or_else(|| GuardError::Unresolvable(url.to_string()))?;
        let port = url.port_or_known_default().unwrap_or(443);
        self.resolve(host, port).await.map(|_| ())
    }
}

/// A reqwest DNS resolver that applies the policy to every name it resolves.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: TargetPolicy,
}

impl GuardedResolver {
    /// A resolver for `policy`.
    pub fn new(policy: TargetPolicy) -> Arc<Self> {
        Arc::new(Self { policy })
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let addrs = policy
                .resolve(name.as_str(), 0)
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn policy_refuses_private_targets_unless_allowed() {
        let strict = TargetPolicy::default();
        assert_eq!(strict.resolve("127.0.0.1", 80).await, Err(GuardError::Private("127.0.0.1".into())));
        assert!(matches!(strict.resolve("localhost", 80).await, Err(GuardError::Private(_))));
        assert!(strict.check_url(&"http://[::1]:8080/x".parse().unwrap()).await.is_err());
        assert!(strict.check_url(&"http://169.254.169.254/latest/meta-data".parse().unwrap()).await.is_err());
        assert!(strict.check_literal_ip(&"http://10.0.0.1/x".parse().unwrap()).is_err());
        assert!(
            strict.check_literal_ip(&"http://internal.example/x".parse().unwrap()).is_ok(),
            "names are checked on resolution"
        );
        let open = TargetPolicy { allow_private: true };
        assert!(open.check_literal_ip(&"http://127.0.0.1/x".parse().unwrap()).is_ok());
        assert_eq!(open.resolve("127.0.0.1", 80).await.unwrap(), vec!["127.0.0.1:80".parse().unwrap()]);
    }
}
