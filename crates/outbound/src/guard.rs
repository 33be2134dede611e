//! The SSRF guard: outbound targets that resolve to loopback, private, link-local, shared,
//! multicast or cloud-metadata addresses are refused unless the operator allows private
//! targets. Hostnames are checked after resolution, and the HTTP client resolves through the
//! guard itself, so a name cannot pass the check and then connect somewhere else.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Whether private addresses may be targeted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetPolicy {
    /// `--allow-private-targets`: for tests and private deployments.
    pub allow_private: bool,
}

/// IPv4 ranges that are not globally reachable unicast, from the IANA IPv4 Special-Purpose
/// Address Registry (plus multicast and the reserved 240/4), with the registry's name for each.
/// The registry's few globally reachable entries (AS112, AMT, PCP and TURN anycast) are left out:
/// nothing a merchant's webhook lives on.
const SPECIAL_V4: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private use"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "shared address space"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link local (cloud metadata)"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private use"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation (TEST-NET-1)"),
    (Ipv4Addr::new(192, 88, 99, 0), 24, "deprecated 6to4 relay anycast"),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private use"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation (TEST-NET-2)"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation (TEST-NET-3)"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved (and limited broadcast)"),
];

/// IPv6 ranges inside global unicast (2000::/3) that are not globally reachable, from the IANA
/// IPv6 Special-Purpose Address Registry. Everything outside 2000::/3 — loopback, unspecified,
/// IPv4-mapped and IPv4-compatible, NAT64 (64:ff9b::/96, 64:ff9b:1::/48), discard-only,
/// SRv6 SIDs, unique local, site-local, link-local, multicast, unassigned — is refused whole.
/// 6to4 (2002::/16) is judged by the IPv4 address it embeds.
const SPECIAL_V6: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23, "IETF protocol assignments (Teredo, ORCHID, benchmarking)"),
    (Ipv6Addr::new(0x2001, 0x0db8, 0, 0, 0, 0, 0, 0), 32, "documentation"),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, "documentation"),
];

fn in_v4(ip: Ipv4Addr, net: Ipv4Addr, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
    u32::from(ip) & mask == u32::from(net) & mask
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
    u128::from(ip) & mask == u128::from(net) & mask
}

/// Why `ip` is not a public unicast address, or None when it is one.
pub fn special_purpose(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => SPECIAL_V4.iter().find(|(net, len, _)| in_v4(v4, *net, *len)).map(|(_, _, why)| *why),
        IpAddr::V6(v6) => {
            if !in_v6(v6, Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3) {
                return Some(match v6.segments()[0] {
                    0 => "loopback, unspecified, IPv4-mapped or IPv4-compatible",
                    0x64 => "NAT64 translation",
                    0xfc00..=0xfdff => "unique local",
                    0xfe80..=0xfebf => "link local",
                    0xfec0..=0xfeff => "site local",
                    0xff00..=0xffff => "multicast",
                    _ => "reserved or unassigned",
                });
            }
            if let Some((_, _, why)) = SPECIAL_V6.iter().find(|(net, len, _)| in_v6(v6, *net, *len)) {
                return Some(why);
            }
            if v6.segments()[0] == 0x2002 {
                // 6to4: the relay would forward to the IPv4 address in bits 16..48.
                let [_, _, a, b, c, d, ..] = v6.octets();
                return special_purpose(IpAddr::V4(Ipv4Addr::new(a, b, c, d))).map(|_| "6to4 embedding a special IPv4");
            }
            None
        }
    }
}

/// True when `ip` is not a public unicast address.
pub fn is_private(ip: IpAddr) -> bool {
    special_purpose(ip).is_some()
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The name did not resolve.
    #[error("cannot resolve {0}")]
    Unresolvable(String),
    /// The target is, or resolves to, a private or special-purpose address.
    #[error("target {0} resolves to a private or reserved address; refused (see --allow-private-targets)")]
    Private(String),
}

impl TargetPolicy {
    /// Resolves `host:port` once and checks every address: a name with any private address is
    /// refused whole (a public one beside it must not let a later connect pick the private
    /// one). Callers connect only to the addresses returned.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, GuardError> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|_| GuardError::Unresolvable(host.to_owned()))?
                .collect(),
        };
        self.judge(host, addrs)
    }

    /// The verdict on every address `host` resolved to.
    fn judge(&self, host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, GuardError> {
        if addrs.is_empty() {
            return Err(GuardError::Unresolvable(host.to_owned()));
        }
        if !self.allow_private && addrs.iter().any(|a| is_private(a.ip())) {
            return Err(GuardError::Private(host.to_owned()));
        }
        Ok(addrs)
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
}

/// A DNS resolver that applies the policy to every name it resolves, for both HTTP stacks that
/// leave the process: reqwest's (webhooks, callouts, single sign-on) and the AWS SDK's (SQS).
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

impl aws_smithy_runtime_api::client::dns::ResolveDns for GuardedResolver {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> aws_smithy_runtime_api::client::dns::DnsFuture<'a> {
        use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDnsError};
        let policy = self.policy;
        DnsFuture::new(async move {
            let addrs = policy.resolve(name, 0).await.map_err(ResolveDnsError::new)?;
            Ok(addrs.into_iter().map(|a| a.ip()).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per special-purpose form, including every way of spelling a private IPv4 address
    /// inside IPv6.
    #[test]
    fn every_special_purpose_range_is_refused() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.255",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::7f00:1",
            "::a00:1",
            "64:ff9b::7f00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:2::1",
            "2001:10::1",
            "2001:db8::1",
            "2002:7f00:1::",
            "2002:a00:1::1",
            "2002:a9fe:a9fe::",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
        ] {
            let parsed: IpAddr = ip.parse().unwrap();
            assert!(is_private(parsed), "{ip} must be refused");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "198.20.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "2002:808:808::1",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip} is public");
        }
    }

    proptest::proptest! {
        /// Whatever IPv4 address hides in IPv6 (mapped, compatible, NAT64, 6to4), a private one
        /// is refused.
        #[test]
        fn embedded_private_v4_is_refused(a in 0u32..u32::MAX) {
            let v4 = Ipv4Addr::from(a);
            let [o1, o2, o3, o4] = v4.octets();
            let mapped = v4.to_ipv6_mapped();
            let compatible = Ipv6Addr::from(u128::from(a));
            let nat64 = Ipv6Addr::from((0x64_ff9b_u128 << 96) | u128::from(a));
            let six_to_four = Ipv6Addr::new(0x2002, u16::from_be_bytes([o1, o2]), u16::from_be_bytes([o3, o4]), 0, 0, 0, 0, 1);
            proptest::prop_assert!(is_private(IpAddr::V6(mapped)));
            proptest::prop_assert!(is_private(IpAddr::V6(compatible)));
            proptest::prop_assert!(is_private(IpAddr::V6(nat64)));
            proptest::prop_assert_eq!(is_private(IpAddr::V6(six_to_four)), is_private(IpAddr::V4(v4)));
        }
    }

    #[tokio::test]
    async fn policy_refuses_private_targets_unless_allowed() {
        let strict = TargetPolicy::default();
        assert_eq!(strict.resolve("127.0.0.1", 80).await, Err(GuardError::Private("127.0.0.1".into())));
        assert!(matches!(strict.resolve("localhost", 80).await, Err(GuardError::Private(_))));
        assert!(strict.check_literal_ip(&"http://[::1]:8080/x".parse().unwrap()).is_err());
        assert!(strict.check_literal_ip(&"http://[::127.0.0.1]/x".parse().unwrap()).is_err());
        assert!(strict.check_literal_ip(&"http://169.254.169.254/latest/meta-data".parse().unwrap()).is_err());
        assert!(strict.check_literal_ip(&"http://10.0.0.1/x".parse().unwrap()).is_err());
        assert!(
            strict.check_literal_ip(&"http://internal.example/x".parse().unwrap()).is_ok(),
            "names are checked on resolution"
        );
        // A name with a public and a private address is refused whole, whatever the order.
        let public: SocketAddr = "93.184.216.34:443".parse().unwrap();
        let private: SocketAddr = "[::ffff:10.0.0.5]:443".parse().unwrap();
        for addrs in [vec![public, private], vec![private, public]] {
            assert_eq!(strict.judge("mixed.example", addrs), Err(GuardError::Private("mixed.example".into())));
        }
        assert_eq!(strict.judge("public.example", vec![public]), Ok(vec![public]));
        assert!(matches!(strict.judge("none.example", vec![]), Err(GuardError::Unresolvable(_))));
        let open = TargetPolicy { allow_private: true };
        assert!(open.check_literal_ip(&"http://127.0.0.1/x".parse().unwrap()).is_ok());
        assert_eq!(open.resolve("127.0.0.1", 80).await.unwrap(), vec!["127.0.0.1:80".parse().unwrap()]);
    }
}
