//! HTTPS: the certificate and key files, read again on `SIGHUP` without a restart, and the
//! rustls configuration that serves them (TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`).
//!
//! The crypto provider is ring, given to rustls explicitly rather than installed as the
//! process default: another provider somewhere in a site's dependencies cannot make the
//! choice ambiguous, and ring builds with a C compiler alone.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

/// The certificate a site serves, from its files; swapped whole when they are read again.
pub(crate) struct CertificateFiles {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl fmt::Debug for CertificateFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateFiles")
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl CertificateFiles {
    /// Reads both files; an error names the file and what is wrong with it.
    fn open(cert: PathBuf, key: PathBuf, provider: Arc<CryptoProvider>) -> io::Result<Self> {
        let current = load(&cert, &key, &provider)?;
        Ok(Self {
            cert,
            key,
            provider,
            current: RwLock::new(Arc::new(current)),
        })
    }

    /// Reads the files again: new handshakes get the new certificate, connections already
    /// made keep theirs. If the files cannot be read, the one being served stays.
    pub(crate) fn reload(&self) -> io::Result<()> {
        let fresh = load(&self.cert, &self.key, &self.provider)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }
}

impl ResolvesServerCert for CertificateFiles {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(
            &self.current.read().unwrap_or_else(|e| e.into_inner()),
        ))
    }
}

/// The PEM chain (leaf first) and its private key, checked to belong together.
fn load(cert: &Path, key: &Path, provider: &CryptoProvider) -> io::Result<CertifiedKey> {
    let unreadable = |path: &Path, why: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {why}", path.display()),
        )
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| unreadable(cert, format!("not a PEM certificate chain ({e})")))?;
    if chain.is_empty() {
        return Err(unreadable(cert, "holds no certificate".into()));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| unreadable(key, format!("not a PEM private key ({e})")))?;
    CertifiedKey::from_der(chain, private, provider)
        .map_err(|e| unreadable(key, format!("does not fit the certificate ({e})")))
}

/// What a TLS listener needs: the acceptor and the files behind it.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) files: Arc<CertificateFiles>,
}

impl Tls {
    /// Reads the certificate and key and makes the server configuration around them.
    pub(crate) fn new(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> io::Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let files = Arc::new(CertificateFiles::open(
            cert.into(),
            key.into(),
            Arc::clone(&provider),
        )?);
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(&files) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = if cfg!(feature = "http2") {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            files,
        })
    }

    /// Reads the files again on every `SIGHUP`, for as long as the server runs.
    pub(crate) fn reload_on_hangup(&self) -> io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};

        let mut hangups = signal(SignalKind::hangup())?;
        let files = Arc::clone(&self.files);
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match files.reload() {
                    Ok(()) => {
                        tracing::info!("certificate read again from {}", files.cert.display())
                    }
                    Err(e) => tracing::warn!("certificate not read again, the old one stays: {e}"),
                }
            }
        });
        Ok(())
    }
}
