//! Certificates the site gets itself from an ACME certificate authority (RFC 8555), such as
//! Let's Encrypt, with instant-acme: ordered at start when none is kept, kept in the ACME
//! folder (account and certificates, files 0600, folder 0700) so that a restart orders
//! nothing, and renewed in the background when a third of the lifetime is left (30 days at
//! most) or earlier when the authority suggests it (ACME Renewal Information), with backoff
//! on failure while the old certificate keeps serving.
//!
//! The challenge is answered on the HTTPS port (TLS-ALPN-01, RFC 8737), so port 80 is not
//! needed; with a plain-HTTP listener (`--http-addr`) it is answered there (HTTP-01).

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fs;
use std::future::Future;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, BodyWrapper, BytesResponse,
    CertificateIdentifier, ChallengeType, HttpClient, Identifier, NewAccount, NewOrder,
    OrderStatus, RetryPolicy,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::tls::ACME_TLS_ALPN;

/// Let's Encrypt's production directory, the default.
pub(crate) const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// Where HTTP-01 answers are asked for.
const HTTP_CHALLENGE_PATH: &str = "/.well-known/acme-challenge/";

/// The longest a certificate waits before its renewal is looked at again: a clock that
/// jumps (a suspended machine) is noticed within it.
const LONGEST_SLEEP: Duration = Duration::from_secs(3600);

/// The first wait after a failed order; it doubles up to [`LONGEST_SLEEP`].
const FIRST_RETRY: Duration = Duration::from_secs(30);

type BoxError = Box<dyn StdError + Send + Sync>;

/// What to ask the certificate authority for, from the settings.
pub(crate) struct Acme {
    pub(crate) domains: Vec<String>,
    pub(crate) email: Option<String>,
    pub(crate) directory: String,
    /// A root to trust for the directory's HTTPS, besides the usual ones.
    pub(crate) ca: Option<PathBuf>,
    pub(crate) dir: PathBuf,
    /// Whether a plain-HTTP listener can answer HTTP-01.
    pub(crate) http01: bool,
}

impl Acme {
    /// `--acme-domain` (comma list), `--acme-email`, `--acme-directory`, `--acme-ca` and
    /// `--acme-dir`; an error says which one is wrong.
    pub(crate) fn from_settings(domains: &str, http01: bool) -> io::Result<Self> {
        use crate::settings::setting;

        let refuse = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let mut names = Vec::new();
        for name in domains.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.to_ascii_lowercase();
            match ServerName::try_from(name.as_str()) {
                Ok(ServerName::DnsName(_)) if name.contains('.') => names.push(name),
                _ => {
                    return Err(refuse(format!(
                        "--acme-domain: `{name}` is not a domain name"
                    )))
                }
            }
        }
        if names.is_empty() {
            return Err(refuse("--acme-domain names no domain".into()));
        }
        names.sort();
        names.dedup();
        let directory = setting("acme-directory").unwrap_or_else(|| LETS_ENCRYPT.into());
        if !directory.starts_with("https://") {
            return Err(refuse(format!(
                "--acme-directory: `{directory}` is not an https:// URL"
            )));
        }
        Ok(Self {
            domains: names,
            email: setting("acme-email"),
            directory,
            ca: setting("acme-ca").map(PathBuf::from),
            dir: PathBuf::from(setting("acme-dir").unwrap_or_else(|| "./data/acme".into())),
            http01,
        })
    }
}

/// The certificate served for the ACME domains, and the answers to challenges under way.
pub(crate) struct Certificates {
    acme: Acme,
    /// This directory's account and certificates: the ACME folder, then one per authority.
    folder: PathBuf,
    provider: Arc<CryptoProvider>,
    client: DirectoryClient,
    current: RwLock<Option<Served>>,
    /// TLS-ALPN-01: the certificate to show for a domain to a client offering `acme-tls/1`.
    tls_alpn: RwLock<HashMap<String, Arc<CertifiedKey>>>,
    /// HTTP-01: the key authorization for a token.
    http: RwLock<HashMap<String, String>>,
}

/// A renewal time the authority suggested.
struct Suggested {
    at: SystemTime,
    /// When to ask again (its `Retry-After`).
    ask_again: Duration,
}

/// A certificate and when it is valid.
#[derive(Clone)]
struct Served {
    key: Arc<CertifiedKey>,
    not_before: SystemTime,
    not_after: SystemTime,
}

impl Served {
    /// Reads a chain and its key from one PEM text, as [`Certificates::order`] keeps them.
    fn parse(pem: &[u8], provider: &CryptoProvider) -> Result<Self, BoxError> {
        let chain = CertificateDer::pem_slice_iter(pem).collect::<Result<Vec<_>, _>>()?;
        let leaf = chain.first().ok_or("no certificate")?;
        let (not_before, not_after) = validity(leaf)?;
        let key = PrivateKeyDer::from_pem_slice(pem)?;
        let key = CertifiedKey::from_der(chain, key, provider)?;
        Ok(Self {
            key: Arc::new(key),
            not_before,
            not_after,
        })
    }

    /// When to order the next one: a third of the lifetime before the end, as Go's
    /// autocert does, and 30 days before at most.
    fn renew_at(&self) -> SystemTime {
        let lifetime = self
            .not_after
            .duration_since(self.not_before)
            .unwrap_or_default();
        let early = (lifetime / 3).min(Duration::from_secs(30 * 24 * 3600));
        self.not_after - early
    }
}

impl std::fmt::Debug for Certificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificates")
            .field("domains", &self.acme.domains)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

impl Certificates {
    /// Makes the ACME folder (0700) and reads the certificate kept there, if any.
    pub(crate) fn open(acme: Acme, provider: Arc<CryptoProvider>) -> io::Result<Self> {
        let folder = acme.dir.join(folder_name(&acme.directory));
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)?;
        for dir in [&acme.dir, &folder] {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        let client = DirectoryClient::new(acme.ca.as_deref(), &provider)?;
        let certificates = Self {
            folder,
            provider,
            client,
            current: RwLock::new(None),
            tls_alpn: RwLock::default(),
            http: RwLock::default(),
            acme,
        };
        let kept = certificates.certificate_file();
        match fs::read(&kept) {
            Ok(pem) => match Served::parse(&pem, &certificates.provider) {
                Ok(served) if served.not_after > SystemTime::now() => {
                    tracing::info!(
                        "certificate for {} read from {}, valid until {}",
                        certificates.names(),
                        kept.display(),
                        httpdate::fmt_http_date(served.not_after)
                    );
                    *certificates
                        .current
                        .write()
                        .unwrap_or_else(|e| e.into_inner()) = Some(served);
                }
                Ok(_) => tracing::info!("the certificate in {} has expired", kept.display()),
                Err(e) => tracing::warn!("{} is not read: {e}", kept.display()),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", kept.display()))),
        }
        Ok(certificates)
    }

    /// The domains, as the log names them.
    fn names(&self) -> String {
        self.acme.domains.join(", ")
    }

    /// The chain and key of the domains, in one file so that they are replaced together.
    fn certificate_file(&self) -> PathBuf {
        self.folder
            .join(format!("{}.pem", self.acme.domains.join("+")))
    }

    fn current(&self) -> Option<Served> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The answer to an HTTP-01 challenge at `path`, if one is under way.
    pub(crate) fn http_challenge(&self, path: &str) -> Option<String> {
        let token = path.strip_prefix(HTTP_CHALLENGE_PATH)?;
        self.http
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// Orders a certificate when there is none or its renewal is due, for as long as the
    /// server runs; a failed order is tried again later, the old certificate serving.
    pub(crate) async fn keep_current(self: Arc<Self>) {
        let mut retry = FIRST_RETRY;
        loop {
            if let Some(served) = self.current() {
                let mut due = served.renew_at();
                let mut ask_again = LONGEST_SLEEP;
                if let Some(suggested) = self.suggested_renewal(&served).await {
                    due = due.min(suggested.at);
                    ask_again = suggested.ask_again.clamp(FIRST_RETRY, LONGEST_SLEEP);
                }
                if let Ok(wait) = due.duration_since(SystemTime::now()) {
                    tokio::time::sleep(wait.min(ask_again)).await;
                    continue;
                }
            }
            match self.order().await {
                Ok(served) => {
                    tracing::info!(
                        "certificate for {} obtained from {}, valid until {}",
                        self.names(),
                        self.acme.directory,
                        httpdate::fmt_http_date(served.not_after)
                    );
                    *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(served);
                    retry = FIRST_RETRY;
                }
                Err(e) => {
                    tracing::warn!(
                        "certificate for {} not obtained, trying again in {} s: {e}",
                        self.names(),
                        retry.as_secs()
                    );
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(LONGEST_SLEEP);
                }
            }
        }
    }

    /// When the authority suggests renewing `served` (ACME Renewal Information, RFC 9773):
    /// a moment picked at random in its window, as the RFC asks, so that many sites do not
    /// renew at once; `None` if the authority gives no such window.
    async fn suggested_renewal(&self, served: &Served) -> Option<Suggested> {
        let leaf = served.key.end_entity_cert().ok()?;
        let id = CertificateIdentifier::try_from(leaf).ok()?;
        let account = self.account().await.ok()?;
        let (info, ask_again) = match account.renewal_info(&id).await {
            Ok(answer) => answer,
            Err(instant_acme::Error::Unsupported(_)) => return None,
            Err(e) => {
                tracing::debug!("no renewal information for {}: {e}", self.names());
                return None;
            }
        };
        let time = |at: time::OffsetDateTime| {
            u64::try_from(at.unix_timestamp()).map_or(UNIX_EPOCH, |seconds| {
                UNIX_EPOCH + Duration::from_secs(seconds)
            })
        };
        let window = info.suggested_window;
        let (start, end) = (time(window.start), time(window.end));
        let span = end.duration_since(start).unwrap_or_default();
        Some(Suggested {
            at: start + span.mul_f64(rand::random::<f64>()),
            ask_again,
        })
    }

    /// Orders a certificate, answers its challenges, and keeps it.
    ///
    /// The order does not name the certificate it replaces (RFC 9773's `replaces`): an
    /// authority that does not know the field leaves it out of its answer, which the
    /// client then refuses.
    async fn order(&self) -> Result<Served, BoxError> {
        let account = self.account().await?;
        let identifiers: Vec<Identifier> = self
            .acme
            .domains
            .iter()
            .map(|name| Identifier::Dns(name.clone()))
            .collect();
        let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
        let answered = self.answer(&mut order).await;
        let ready = match answered {
            Ok(()) => {
                let patience = RetryPolicy::new().timeout(Duration::from_secs(120));
                order.poll_ready(&patience).await
            }
            Err(e) => Err(e),
        };
        self.tls_alpn
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.http.write().unwrap_or_else(|e| e.into_inner()).clear();
        let status = ready?;
        if status != OrderStatus::Ready {
            return Err(
                format!("the order is {status:?}: {}", why_invalid(&mut order).await).into(),
            );
        }
        let key = order.finalize().await?;
        let chain = order
            .poll_certificate(&RetryPolicy::new().timeout(Duration::from_secs(120)))
            .await?;
        let pem = format!("{key}{chain}");
        let served = Served::parse(pem.as_bytes(), &self.provider)?;
        write_private(&self.certificate_file(), pem.as_bytes())?;
        Ok(served)
    }

    /// Sets up the answer to one challenge of each pending authorization and says it is
    /// ready: TLS-ALPN-01, or HTTP-01 when plain HTTP is served.
    async fn answer(&self, order: &mut instant_acme::Order) -> Result<(), instant_acme::Error> {
        let mut authorizations = order.authorizations();
        while let Some(authorization) = authorizations.next().await {
            let mut authorization = authorization?;
            match authorization.status {
                AuthorizationStatus::Pending => {}
                AuthorizationStatus::Valid => continue,
                other => {
                    return Err(instant_acme::Error::Other(
                        format!("an authorization is {other:?}").into(),
                    ))
                }
            }
            let offers = |kind: ChallengeType| {
                authorization
                    .challenges
                    .iter()
                    .any(|challenge| challenge.r#type == kind)
            };
            let kind = if self.acme.http01 && offers(ChallengeType::Http01) {
                ChallengeType::Http01
            } else if offers(ChallengeType::TlsAlpn01) {
                ChallengeType::TlsAlpn01
            } else {
                return Err(instant_acme::Error::Str(
                    "the authority offers no tls-alpn-01 challenge (http-01 needs --http-addr)",
                ));
            };
            let Some(mut challenge) = authorization.challenge(kind.clone()) else {
                continue;
            };
            let name = challenge.identifier().to_string();
            let key_authorization = challenge.key_authorization();
            if kind == ChallengeType::Http01 {
                self.http.write().unwrap_or_else(|e| e.into_inner()).insert(
                    challenge.token.clone(),
                    key_authorization.as_str().to_owned(),
                );
                tracing::info!("answering http-01 for {name}");
            } else {
                let certificate =
                    alpn_certificate(&name, key_authorization.digest().as_ref(), &self.provider)
                        .map_err(instant_acme::Error::Other)?;
                self.tls_alpn
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(name.clone(), Arc::new(certificate));
                tracing::info!("answering tls-alpn-01 for {name}");
            }
            challenge.set_ready().await?;
        }
        Ok(())
    }

    /// The account kept for this directory, or a new one (then kept).
    async fn account(&self) -> Result<Account, BoxError> {
        let path = self.folder.join("account.json");
        let builder = Account::builder_with_http(Box::new(self.client.clone()));
        match fs::read(&path) {
            Ok(json) => {
                let credentials: AccountCredentials = serde_json::from_slice(&json)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Ok(builder.from_credentials(credentials).await?)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let contact: Vec<String> = self
                    .acme
                    .email
                    .iter()
                    .map(|email| format!("mailto:{email}"))
                    .collect();
                let contact: Vec<&str> = contact.iter().map(String::as_str).collect();
                let new = NewAccount {
                    contact: &contact,
                    terms_of_service_agreed: true,
                    only_return_existing: false,
                };
                let (account, credentials) = builder
                    .create(&new, self.acme.directory.clone(), None)
                    .await?;
                write_private(&path, &serde_json::to_vec_pretty(&credentials)?)?;
                tracing::info!("ACME account made at {}", self.acme.directory);
                Ok(account)
            }
            Err(e) => Err(format!("{}: {e}", path.display()).into()),
        }
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let challenge = hello
            .alpn()
            .is_some_and(|mut offered| offered.any(|protocol| protocol == ACME_TLS_ALPN));
        if challenge {
            let name = hello.server_name()?;
            return self
                .tls_alpn
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(name)
                .cloned();
        }
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|served| Arc::clone(&served.key))
    }
}

/// What the authority said about the challenges of an order that became invalid.
async fn why_invalid(order: &mut instant_acme::Order) -> String {
    let mut problems = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(Ok(authorization)) = authorizations.next().await {
        for challenge in &authorization.challenges {
            if let Some(problem) = &challenge.error {
                problems.push(problem.to_string());
            }
        }
    }
    if problems.is_empty() {
        "no reason given".into()
    } else {
        problems.join("; ")
    }
}

/// The self-signed certificate that answers TLS-ALPN-01 for `name` (RFC 8737): the name,
/// and the digest of the key authorization in the acmeIdentifier extension.
fn alpn_certificate(
    name: &str,
    digest: &[u8],
    provider: &CryptoProvider,
) -> Result<CertifiedKey, BoxError> {
    let mut params = rcgen::CertificateParams::new(vec![name.to_owned()])?;
    params.custom_extensions = vec![rcgen::CustomExtension::new_acme_identifier(digest)];
    let key = rcgen::KeyPair::generate()?;
    let certificate = params.self_signed(&key)?;
    let key = PrivateKeyDer::try_from(key.serialize_der())?;
    // Not `from_der`: its check that the key fits parses the certificate, and refuses the
    // critical acmeIdentifier extension that the certificate is for.
    let key = provider.key_provider.load_private_key(key)?;
    Ok(CertifiedKey::new(vec![certificate.der().clone()], key))
}

/// The certificate's notBefore and notAfter.
fn validity(der: &CertificateDer<'_>) -> Result<(SystemTime, SystemTime), BoxError> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der)?;
    let time = |at: x509_parser::time::ASN1Time| {
        u64::try_from(at.timestamp())
            .map(|seconds| UNIX_EPOCH + Duration::from_secs(seconds))
            .map_err(|_| "a validity before 1970")
    };
    let validity = certificate.validity();
    Ok((time(validity.not_before)?, time(validity.not_after)?))
}

/// A folder name for a directory URL: its host, port and path.
fn folder_name(directory: &str) -> String {
    directory
        .trim_start_matches("https://")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `contents` readable by this user alone, replacing `path` whole or not at all.
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    // tempfile makes the file 0600.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The HTTPS client that talks to the directory: a connection a request (an order is a
/// dozen of them, a few times a season), trusting the usual roots and `--acme-ca`.
#[derive(Clone)]
struct DirectoryClient {
    connector: tokio_rustls::TlsConnector,
}

impl DirectoryClient {
    fn new(ca: Option<&Path>, provider: &Arc<CryptoProvider>) -> io::Result<Self> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(ca) = ca {
            let unreadable = |why: String| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("--acme-ca {}: {why}", ca.display()),
                )
            };
            let certificates = CertificateDer::pem_file_iter(ca)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| unreadable(format!("not a PEM certificate ({e})")))?;
            if certificates.is_empty() {
                return Err(unreadable("holds no certificate".into()));
            }
            for certificate in certificates {
                roots
                    .add(certificate)
                    .map_err(|e| unreadable(e.to_string()))?;
            }
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::clone(provider))
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
        })
    }

    async fn send(
        connector: tokio_rustls::TlsConnector,
        mut request: http::Request<BodyWrapper<Bytes>>,
    ) -> Result<BytesResponse, BoxError> {
        let uri = request.uri().clone();
        let (Some("https"), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(format!("{uri}: ACME is spoken over https").into());
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority.port_u16().unwrap_or(443);
        let tcp = tokio::net::TcpStream::connect((host, port)).await?;
        let tls = connector
            .connect(ServerName::try_from(host.to_owned())?, tcp)
            .await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await?;
        tokio::spawn(connection);
        request
            .headers_mut()
            .insert(http::header::HOST, authority.as_str().parse()?);
        *request.uri_mut() = uri
            .path_and_query()
            .map_or("/", |path| path.as_str())
            .parse()?;
        let response = sender.send_request(request).await?;
        Ok(BytesResponse::from(response))
    }
}

impl HttpClient for DirectoryClient {
    fn request(
        &self,
        request: http::Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let connector = self.connector.clone();
        Box::pin(async move {
            match tokio::time::timeout(
                Duration::from_secs(30),
                DirectoryClient::send(connector, request),
            )
            .await
            {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(e)) => Err(instant_acme::Error::Other(e)),
                Err(_) => Err(instant_acme::Error::Str(
                    "the ACME directory did not answer within 30 s",
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_is_due_with_a_third_of_the_lifetime_left_and_30_days_at_most() {
        let key = alpn_certificate(
            "example.com",
            &[0; 32],
            &rustls::crypto::ring::default_provider(),
        )
        .unwrap();
        let start = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let served = |days: u64| Served {
            key: Arc::new(key.clone()),
            not_before: start,
            not_after: start + Duration::from_secs(days * 24 * 3600),
        };
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(served(90).renew_at(), start + 60 * day);
        assert_eq!(served(6).renew_at(), start + 4 * day);
        assert_eq!(served(365).renew_at(), start + 335 * day);
    }

    #[test]
    fn a_folder_a_directory() {
        assert_eq!(
            folder_name(LETS_ENCRYPT),
            "acme-v02.api.letsencrypt.org_directory"
        );
        assert_eq!(
            folder_name("https://127.0.0.1:14000/dir"),
            "127.0.0.1_14000_dir"
        );
    }
}
