//! Pebble, Let's Encrypt's test certificate authority, for the ACME tests: pebble itself
//! (its HTTPS with a certificate of the test's own CA) and pebble-challtestsrv as its DNS,
//! which answers every name with 127.0.0.1. Both are Debian's `pebble` package, which
//! `.ci/run` installs; a test that needs them fails when they are missing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::tls::TestCa;

/// Pebble and its DNS, killed when dropped.
pub struct Pebble {
    ca: TestCa,
    dir: PathBuf,
    /// The ACME directory's URL.
    pub directory: String,
    acme_port: u16,
    management: u16,
    children: Vec<Child>,
}

/// Where pebble validates challenges, and how long its certificates live.
pub struct PebbleConfig {
    /// The port of TLS-ALPN-01 (the site's HTTPS port).
    pub tls_port: u16,
    /// The port of HTTP-01 (the site's plain-HTTP port).
    pub http_port: u16,
    /// Seconds; pebble's default (about five years) when `None`.
    pub validity: Option<u64>,
}

impl Pebble {
    /// Starts the DNS and pebble with its files in `dir`; returns once pebble answers.
    ///
    /// # Panics
    /// If `pebble` or `pebble-challtestsrv` is not installed (`apt-get install pebble`).
    pub fn start(dir: &Path, config: &PebbleConfig) -> Self {
        for tool in ["pebble", "pebble-challtestsrv"] {
            let found = Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                found,
                "{tool} is missing: `apt-get install pebble` (.ci/run does)"
            );
        }
        let ca = TestCa::new();
        ca.issue(dir);
        std::fs::write(dir.join("root.pem"), ca.root_pem()).unwrap();
        let (acme, management, dns, dns_management) =
            (free_port(), free_port(), free_port(), free_port());
        let validity = config
            .validity
            .map(|seconds| format!(r#", "certificateValidityPeriod": {seconds}"#))
            .unwrap_or_default();
        let json = format!(
            r#"{{"pebble": {{
                "listenAddress": "127.0.0.1:{acme}",
                "managementListenAddress": "127.0.0.1:{management}",
                "certificate": "{cert}",
                "privateKey": "{key}",
                "httpPort": {http},
                "tlsPort": {tls},
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false{validity}
            }}}}"#,
            cert = dir.join("cert.pem").display(),
            key = dir.join("key.pem").display(),
            http = config.http_port,
            tls = config.tls_port,
        );
        std::fs::write(dir.join("pebble.json"), json).unwrap();
        let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
        let dns_server = Command::new("pebble-challtestsrv")
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-dns01", &format!("127.0.0.1:{dns}")])
            .args(["-management", &format!("127.0.0.1:{dns_management}")])
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .stdout(log("challtestsrv.log"))
            .stderr(log("challtestsrv.err"))
            .spawn()
            .unwrap();
        let pebble = Command::new("pebble")
            .arg("-config")
            .arg(dir.join("pebble.json"))
            .args(["-dnsserver", &format!("127.0.0.1:{dns}")])
            // Validate at once rather than after a random pause of up to 15 s.
            .env("PEBBLE_VA_NOSLEEP", "1")
            .stdout(log("pebble.log"))
            .stderr(log("pebble.err"))
            .spawn()
            .unwrap();
        let pebble = Self {
            ca,
            dir: dir.to_owned(),
            directory: format!("https://127.0.0.1:{acme}/dir"),
            acme_port: acme,
            management,
            children: vec![dns_server, pebble],
        };
        let up = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            TcpStream::connect(("127.0.0.1", acme)).is_ok()
                && TcpStream::connect(("127.0.0.1", management)).is_ok()
        });
        assert!(up, "pebble did not start: {}", pebble.log());
        pebble
    }

    /// The root pebble's directory is served with (for `--acme-ca`), PEM.
    pub fn directory_root(&self) -> PathBuf {
        self.dir.join("root.pem")
    }

    /// The root that pebble's certificates chain to, PEM (it makes a new one each start).
    pub async fn issuing_root(&self) -> String {
        let answer = self
            .ca
            .request(&[b"http/1.1"], self.management, "GET", "/roots/0")
            .await;
        assert_eq!(answer.head.status, 200, "{}", answer.body);
        answer.body
    }

    /// A directory in front of pebble's that adds ACME Renewal Information (RFC 9773), which
    /// Debian's pebble lacks: its `/dir` is pebble's with `renewalInfo` pointing to itself,
    /// and it suggests renewing the first certificate it is asked about `after` from now,
    /// any other in a year. Returns the directory URL and how often it was asked.
    pub async fn with_renewal_information(&self, after: Duration) -> (String, Arc<AtomicUsize>) {
        let front = self.dir.join("front");
        std::fs::create_dir_all(&front).unwrap();
        self.ca.issue(&front);
        let chain = CertificateDer::pem_file_iter(front.join("cert.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(front.join("key.pem")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();

        let directory = self
            .ca
            .request(&[b"http/1.1"], self.acme_port, "GET", "/dir")
            .await
            .body;
        let mut directory: serde_json::Value = serde_json::from_str(&directory).unwrap();
        directory["renewalInfo"] = format!("https://127.0.0.1:{port}/renewal-info").into();
        let directory = directory.to_string();

        let soon = time::OffsetDateTime::now_utc() + after;
        let asked = Arc::new(AtomicUsize::new(0));
        let first = Arc::new(std::sync::Mutex::new(None::<String>));
        let counter = Arc::clone(&asked);
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    continue;
                };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if tls.read_exact(&mut byte).await.is_err() {
                        break;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
                let body = match path.strip_prefix("/renewal-info/") {
                    None => directory.clone(),
                    Some(id) => {
                        counter.fetch_add(1, Ordering::Relaxed);
                        let first_id = first
                            .lock()
                            .unwrap()
                            .get_or_insert_with(|| id.to_owned())
                            .clone();
                        let start = if first_id == id {
                            soon
                        } else {
                            soon + time::Duration::days(365)
                        };
                        let format = time::format_description::well_known::Rfc3339;
                        serde_json::json!({ "suggestedWindow": {
                            "start": start.format(&format).unwrap(),
                            "end": (start + time::Duration::seconds(1)).format(&format).unwrap(),
                        }})
                        .to_string()
                    }
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nretry-after: 3600\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            }
        });
        (format!("https://127.0.0.1:{port}/dir"), asked)
    }

    /// What pebble has logged.
    pub fn log(&self) -> String {
        ["pebble.log", "pebble.err", "challtestsrv.err"]
            .iter()
            .map(|name| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A loopback port nothing listens on just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The certificate chain (leaf first, DER) the server at `port` shows for `name`, checked
/// against `root` (PEM), and the status line of a `GET /` on that connection; an error
/// if the handshake or the check fails.
pub fn fetch_verified(port: u16, name: &str, root: &str) -> Result<(Vec<Vec<u8>>, String), String> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(root.as_bytes()) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let server_name = rustls::pki_types::ServerName::try_from(name.to_owned()).unwrap();
    let mut connection = rustls::ClientConnection::new(Arc::new(config), server_name).unwrap();
    let mut socket = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut tls = rustls::Stream::new(&mut connection, &mut socket);
    write!(
        tls,
        "GET / HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    // A peer that closes without close_notify is an error here; the bytes read stay.
    let _ = tls.read_to_end(&mut response);
    let status = String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let chain = connection
        .peer_certificates()
        .ok_or("no certificate")?
        .iter()
        .map(|certificate| certificate.to_vec())
        .collect();
    Ok((chain, status))
}
