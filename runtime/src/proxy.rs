//! Behind a reverse proxy or load balancer: who the client is and whether it came over
//! HTTPS, from `Forwarded` (RFC 7239) or `X-Forwarded-For` and `X-Forwarded-Proto`, believed
//! only from the proxies the site trusts (`--trusted-proxies`); from anyone else those
//! headers are ignored, so a client cannot make itself look like another.

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;
use ipnet::IpNet;

/// The addresses whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustedProxies(Vec<IpNet>);

/// Where a request comes from, once the trusted proxies are looked through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) client: SocketAddr,
    /// The client's request came over HTTPS to a trusted proxy.
    pub(crate) https: bool,
}

impl TrustedProxies {
    /// A comma list of addresses and CIDR ranges: `10.0.0.0/8, 127.0.0.1, ::1`.
    pub(crate) fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("--trusted-proxies: `{entry}` is not an address or a CIDR range")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client: the right-most address in the forwarding chain that is not a trusted
    /// proxy (the ones to its left could be made up by the client), and whether the proxy
    /// next to this server says the request came over HTTPS. `remote` itself when it is no
    /// trusted proxy.
    pub(crate) fn origin(&self, remote: SocketAddr, headers: &HeaderMap) -> Origin {
        let mut origin = Origin {
            client: remote,
            https: false,
        };
        if self.0.is_empty() || !self.trusts(remote.ip()) {
            return origin;
        }
        let forwarded = joined(headers, "forwarded");
        let (hops, proto): (Vec<&str>, Option<&str>) = match &forwarded {
            Some(forwarded) => {
                let elements: Vec<&str> = forwarded.split(',').collect();
                let hops = elements
                    .iter()
                    .filter_map(|e| parameter(e, "for"))
                    .collect();
                let proto = elements.last().and_then(|e| parameter(e, "proto"));
                (hops, proto)
            }
            None => (
                joined_ref(headers, "x-forwarded-for"),
                headers
                    .get("x-forwarded-proto")
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.rsplit(',').next())
                    .map(str::trim),
            ),
        };
        origin.https = proto.is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
        for hop in hops.iter().rev() {
            // An address hidden by a proxy (`unknown`, `_name`) ends what can be known.
            let Some(address) = node(hop) else {
                break;
            };
            origin.client = address;
            if !self.trusts(address.ip()) {
                break;
            }
        }
        origin
    }
}

/// Every `name` header, joined with commas as one list.
fn joined(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// The hops of every `name` header, in order.
fn joined_ref<'h>(headers: &'h HeaderMap, name: &str) -> Vec<&'h str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect()
}

/// A parameter of a `Forwarded` element (`for=192.0.2.1;proto=https`), unquoted.
fn parameter<'e>(element: &'e str, name: &str) -> Option<&'e str> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"'))
    })
}

/// A forwarded node: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711` or `2001:db8::1`;
/// without a port, port 0.
fn node(hop: &str) -> Option<SocketAddr> {
    let hop = hop.trim();
    if let Ok(address) = hop.parse::<SocketAddr>() {
        return Some(address);
    }
    let ip = hop.trim_start_matches('[').trim_end_matches(']');
    ip.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(trusted: &str, remote: &str, headers: &[(&str, &str)]) -> Origin {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        TrustedProxies::parse(trusted)
            .unwrap()
            .origin(remote.parse().unwrap(), &map)
    }

    fn client(trusted: &str, remote: &str, headers: &[(&str, &str)]) -> String {
        origin(trusted, remote, headers).client.to_string()
    }

    #[test]
    fn headers_from_anyone_else_are_ignored() {
        let spoofed = [
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ];
        let from = origin("", "198.51.100.7:5000", &spoofed);
        assert_eq!(from.client.to_string(), "198.51.100.7:5000");
        assert!(!from.https);
        let from = origin("10.0.0.0/8", "198.51.100.7:5000", &spoofed);
        assert_eq!(from.client.to_string(), "198.51.100.7:5000");
        assert!(!from.https);
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let chain = [("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.2")];
        // The client wrote 1.1.1.1 itself; 10.0.0.2 is a proxy of ours.
        assert_eq!(client("10.0.0.0/8", "10.0.0.1:80", &chain), "203.0.113.9:0");
        assert_eq!(client("10.0.0.1", "10.0.0.1:80", &chain), "10.0.0.2:0");
        // Several headers are one list.
        let split = [
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ];
        assert_eq!(client("127.0.0.1", "127.0.0.1:1", &split), "203.0.113.9:0");
        // Every hop trusted: the left-most.
        let inside = [("x-forwarded-for", "10.0.0.3, 10.0.0.2")];
        assert_eq!(client("10.0.0.0/8", "10.0.0.1:80", &inside), "10.0.0.3:0");
        // No header: the proxy itself.
        assert_eq!(client("10.0.0.0/8", "10.0.0.1:80", &[]), "10.0.0.1:80");
    }

    #[test]
    fn forwarded_is_read_as_rfc_7239_writes_it() {
        let headers = [(
            "forwarded",
            r#"for=1.1.1.1, for="[2001:db8::7]:4711";proto=http, for=10.0.0.2;proto=https"#,
        )];
        let from = origin("10.0.0.0/8, ::1", "[::1]:80", &headers);
        assert_eq!(from.client.to_string(), "[2001:db8::7]:4711");
        assert!(from.https, "the nearest proxy's proto counts");
        let hidden = [("forwarded", "for=unknown, for=10.0.0.2")];
        assert_eq!(client("10.0.0.0/8", "10.0.0.1:80", &hidden), "10.0.0.2:0");
        // Forwarded wins over X-Forwarded-For.
        let both = [
            ("forwarded", "for=203.0.113.9"),
            ("x-forwarded-for", "198.51.100.1"),
        ];
        assert_eq!(client("10.0.0.1", "10.0.0.1:80", &both), "203.0.113.9:0");
    }

    #[test]
    fn the_scheme_is_the_nearest_proxys() {
        let https =
            |value: &str| origin("127.0.0.1", "127.0.0.1:9", &[("x-forwarded-proto", value)]).https;
        assert!(https("https"));
        assert!(https("HTTPS"));
        assert!(https("http, https"));
        assert!(!https("https, http"));
        assert!(!https("http"));
        // An IPv4 proxy seen on an IPv6 socket as ::ffff:127.0.0.1.
        assert!(
            origin(
                "127.0.0.1",
                "[::ffff:127.0.0.1]:9",
                &[("x-forwarded-proto", "https")]
            )
            .https
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err(),
            "--trusted-proxies: `proxy.local` is not an address or a CIDR range"
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse(" 192.168.1.1 , fd00::/8 ").is_ok());
    }
}
