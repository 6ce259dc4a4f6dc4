//! HTTPS: the certificate and key files, read again on `SIGHUP` without a restart (or a
//! certificate from ACME, see `acme.rs`), and the rustls configuration that serves them
//! (TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`).
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

/// The ALPN protocol of TLS-ALPN-01 challenges (RFC 8737): such a connection only shows
/// a certificate, and serves no HTTP.
pub(crate) const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// What a TLS listener needs: the acceptor and where its certificate comes from.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Files(Arc<CertificateFiles>),
    #[cfg(feature = "acme")]
    Acme(Arc<crate::acme::Certificates>),
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
        Ok(Self {
            acceptor: acceptor(provider, Arc::clone(&files) as _, &[])?,
            source: Source::Files(files),
        })
    }

    /// Serves the certificate an ACME authority gives for the domains (none until it did),
    /// and answers its TLS-ALPN-01 challenges.
    #[cfg(feature = "acme")]
    pub(crate) fn acme(acme: crate::acme::Acme) -> io::Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certificates = Arc::new(crate::acme::Certificates::open(
            acme,
            Arc::clone(&provider),
        )?);
        Ok(Self {
            acceptor: acceptor(provider, Arc::clone(&certificates) as _, &[ACME_TLS_ALPN])?,
            source: Source::Acme(certificates),
        })
    }

    /// Keeps the certificate current for as long as the server runs: the files are read
    /// again on every `SIGHUP`; an ACME certificate is ordered and renewed when due.
    pub(crate) fn keep_current(&self) -> io::Result<()> {
        match &self.source {
            Source::Files(files) => reload_on_hangup(Arc::clone(files)),
            #[cfg(feature = "acme")]
            Source::Acme(certificates) => {
                tokio::spawn(Arc::clone(certificates).keep_current());
                Ok(())
            }
        }
    }

    /// The answer to an ACME HTTP-01 challenge at `path`, if one is under way.
    #[cfg_attr(not(feature = "acme"), allow(unused_variables))]
    pub(crate) fn http_challenge(&self, path: &str) -> Option<String> {
        match &self.source {
            Source::Files(_) => None,
            #[cfg(feature = "acme")]
            Source::Acme(certificates) => certificates.http_challenge(path),
        }
    }
}

/// The server configuration: TLS 1.3 and 1.2, ALPN `h2` (with the `http2` feature) and
/// `http/1.1`, then `extra_alpn`.
fn acceptor(
    provider: Arc<CryptoProvider>,
    resolver: Arc<dyn ResolvesServerCert>,
    extra_alpn: &[&[u8]],
) -> io::Result<TlsAcceptor> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    if cfg!(feature = "http2") {
        config.alpn_protocols.push(b"h2".to_vec());
    }
    config.alpn_protocols.push(b"http/1.1".to_vec());
    config
        .alpn_protocols
        .extend(extra_alpn.iter().map(|protocol| protocol.to_vec()));
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Reads the files again on every `SIGHUP`.
fn reload_on_hangup(files: Arc<CertificateFiles>) -> io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};

    let mut hangups = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match files.reload() {
                Ok(()) => tracing::info!("certificate read again from {}", files.cert.display()),
                Err(e) => tracing::warn!("certificate not read again, the old one stays: {e}"),
            }
        }
    });
    Ok(())
}
