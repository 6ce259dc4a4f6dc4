//! HTTPS for tests: a certificate authority of the test's own, certificates it issues for
//! 127.0.0.1, and a client over rustls that trusts it alone and speaks HTTP/2 or HTTP/1.1
//! as ALPN settles.

use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A certificate authority of the test's own.
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    /// Its certificate, DER.
    der: Vec<u8>,
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

impl TestCa {
    pub fn new() -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "rsp test CA");
        let der = params.self_signed(&key).unwrap().der().to_vec();
        Self { params, key, der }
    }

    /// A certificate for 127.0.0.1 and localhost, written with its key into `dir` as
    /// `cert.pem` (leaf, then this CA) and `key.pem`; returns the leaf, DER.
    pub fn issue(&self, dir: &Path) -> Vec<u8> {
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let leaf = params.signed_by(&key, &issuer).unwrap();
        let ca_pem = self.params.self_signed(&self.key).unwrap().pem();
        std::fs::write(dir.join("cert.pem"), leaf.pem() + &ca_pem).unwrap();
        std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
        leaf.der().to_vec()
    }

    /// This CA's certificate, PEM: what a client is told to trust.
    pub fn root_pem(&self) -> String {
        self.params.self_signed(&self.key).unwrap().pem()
    }

    /// A client configuration that trusts this CA alone and offers `alpn`.
    pub fn client_config(&self, alpn: &[&[u8]]) -> rustls::ClientConfig {
        self.client_config_for(rustls::DEFAULT_VERSIONS, alpn)
    }

    /// [`client_config`](Self::client_config) offering only these TLS versions.
    pub fn client_config_for(
        &self,
        versions: &[&'static rustls::SupportedProtocolVersion],
        alpn: &[&[u8]],
    ) -> rustls::ClientConfig {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.der.clone().into()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        config
    }

    /// Sends `method path` to the server at `port` over a new TLS connection offering
    /// `alpn`, as HTTP/2 if the server chose it, else HTTP/1.1.
    pub async fn request(&self, alpn: &[&[u8]], port: u16, method: &str, path: &str) -> Answer {
        self.send(self.client_config(alpn), port, method, path)
            .await
    }

    /// A GET of `path` with the client configuration `config`.
    pub async fn request_with(
        &self,
        config: rustls::ClientConfig,
        port: u16,
        path: &str,
    ) -> Answer {
        self.send(config, port, "GET", path).await
    }

    async fn send(
        &self,
        config: rustls::ClientConfig,
        port: u16,
        method: &str,
        path: &str,
    ) -> Answer {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let tls = connector.connect(name, tcp).await.unwrap();
        let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
        let io = hyper_util::rt::TokioIo::new(tls);
        let request = http::Request::builder()
            .method(method)
            .uri(format!("https://127.0.0.1:{port}{path}"))
            .header("host", format!("127.0.0.1:{port}"))
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .unwrap();
        let response = if h2 {
            let (mut sender, connection) =
                hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), io)
                    .await
                    .unwrap();
            tokio::spawn(connection);
            sender.send_request(request).await.unwrap()
        } else {
            let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.unwrap();
            tokio::spawn(connection);
            sender.send_request(request).await.unwrap()
        };
        let (head, body) = response.into_parts();
        let body = http_body_util::BodyExt::collect(body).await.unwrap();
        Answer {
            head,
            body: String::from_utf8_lossy(&body.to_bytes()).into_owned(),
        }
    }

    /// The leaf certificate (DER) the server at `port` presents in a new handshake.
    pub fn served_certificate(&self, port: u16) -> Vec<u8> {
        let config = Arc::new(self.client_config(&[]));
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut connection = rustls::ClientConnection::new(config, name).unwrap();
        let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        while connection.is_handshaking() {
            connection.complete_io(&mut socket).unwrap();
        }
        connection.peer_certificates().unwrap()[0].to_vec()
    }
}

/// A response's head and text.
pub struct Answer {
    pub head: http::response::Parts,
    pub body: String,
}
