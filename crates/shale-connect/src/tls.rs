//! TLS with libpq's `sslmode` semantics, on rustls (ring provider).
//!
//! What each mode checks of the server's certificate:
//! - `require`, `prefer`, `allow`: nothing (encryption only), unless a root certificate
//!   file exists (`sslrootcert`, default `~/.postgresql/root.crt`): then the chain is
//!   verified as for `verify-ca`, as libpq does.
//! - `verify-ca`: the chain ends at a trusted root (`sslrootcert`; `system` means the
//!   operating system's store). The host name is not checked.
//! - `verify-full`: the chain, and that the certificate names the host the connection was
//!   made to (`host`, not `hostaddr`), by subject alternative name.
//!
//! The handshake signature is verified in every mode (the server proves it holds the key
//! of the certificate it sent). A client certificate (`sslcert`/`sslkey`, default
//! `~/.postgresql/postgresql.crt`/`.key` when they exist) is sent when the server asks.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How much of the server's certificate is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Nothing but the handshake signature.
    None,
    /// The chain up to a trusted root.
    Ca,
    /// The chain and the host name.
    Full,
}

/// What the TLS client needs: trust, client certificate, protocol bounds, SNI.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    pub verify: Verify,
    /// The file of trusted roots, or `None` for the system store (`sslrootcert=system`),
    /// when `verify` is not `None`.
    pub root_cert: Option<PathBuf>,
    /// Client certificate chain and key (both or neither).
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// `ssl_min_protocol_version`: TLS 1.3 only when set to `TLSv1.3`.
    pub tls13_only: bool,
    /// `ssl_max_protocol_version=TLSv1.2`.
    pub tls12_only: bool,
    /// `sslsni` (default on).
    pub sni: bool,
}

/// ring: pure Rust and assembly, builds with any C compiler and for static musl binaries
/// (aws-lc-rs would need CMake). rustls marks it deprecated only because ring has no
/// post-quantum key exchange; the classical X25519/ECDHE groups it offers are what
/// PostgreSQL servers (OpenSSL) negotiate today.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration for `s`. Errors name the file and what is wrong with
/// it.
pub fn client_config(s: &TlsSettings) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    let roots = match (s.verify, &s.root_cert) {
        (Verify::None, _) => None,
        (_, Some(path)) => Some(load_roots(path)?),
        (_, None) => Some(system_roots()?),
    };
    let verifier = Arc::new(PgVerifier {
        verify: s.verify,
        roots: roots.map(Arc::new),
        provider: provider.clone(),
    });
    let versions: &[&rustls::SupportedProtocolVersion] = if s.tls13_only {
        &[&rustls::version::TLS13]
    } else if s.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| format!("TLS setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match &s.client_cert {
        Some((cert, key)) => {
            let certs = load_certs(cert, "client certificate")?;
            let key = load_key(key)?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| format!("client certificate \"{}\": {e}", cert.display()))?
        }
        None => builder.with_no_client_auth(),
    };
    config.enable_sni = s.sni;
    Ok(config)
}

fn load_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("could not read {what} file \"{}\": {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("could not read {what} file \"{}\": {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{what} file \"{}\" holds no PEM certificate",
            path.display()
        ));
    }
    Ok(certs)
}

fn load_roots(path: &Path) -> Result<RootCertStore, String> {
    if !path.exists() {
        return Err(format!(
            "root certificate file \"{}\" does not exist\nEither provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.",
            path.display()
        ));
    }
    let mut roots = RootCertStore::empty();
    for cert in load_certs(path, "root certificate")? {
        roots
            .add(cert)
            .map_err(|e| format!("root certificate file \"{}\": {e}", path.display()))?;
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(format!(
            "sslrootcert=system: no trusted root certificates found in the system store{why}"
        ));
    }
    Ok(roots)
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "certificate present, but not private key file \"{}\": {e}",
            path.display()
        )
    })?;
    if !meta.is_file() {
        return Err(format!(
            "private key file \"{}\" is not a regular file",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = meta.permissions().mode();
        // libpq: 0600 or less when owned by the user, 0640 or less when owned by root.
        let allowed = if meta.uid() == 0 { 0o640 } else { 0o600 };
        if mode & 0o777 & !allowed != 0 {
            return Err(format!(
                "private key file \"{}\" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root",
                path.display()
            ));
        }
    }
    PrivateKeyDer::from_pem_file(path).map_err(|e| {
        format!(
            "could not load private key file \"{}\": {e}",
            path.display()
        )
    })
}

/// The server certificate check for one `sslmode`.
#[derive(Debug)]
struct PgVerifier {
    verify: Verify,
    roots: Option<Arc<RootCertStore>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PgVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.verify == Verify::None {
            return Ok(ServerCertVerified::assertion());
        }
        let Some(roots) = &self.roots else {
            return Err(rustls::Error::General(
                "no root certificates to verify the server with".into(),
            ));
        };
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            roots,
            intermediates,
            now,
            self.provider.signature_verification_algorithms.all,
        )?;
        if self.verify == Verify::Full {
            verify_server_name(&cert, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
