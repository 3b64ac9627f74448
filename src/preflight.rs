//! Self-managed pre-flight: before anything is created for a self-managed GitLab, check what AWS
//! will check. The discovery document at `<url>/.well-known/openid-configuration` must name the
//! provider URL as its `issuer`, exactly; its `jwks_uri` must serve keys; and the TLS chain decides
//! whether IAM needs a thumbprint (a chain not signed by a public CA does: the SHA-1 of the top
//! certificate the server presents).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::plan::input::ProviderUrl;
use crate::verdict::Check;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsReport {
    /// The chain verifies against the public (Mozilla) roots.
    pub public_ca: bool,
    /// Why it does not, when it does not.
    pub verify_error: Option<String>,
    /// How many certificates the server presented.
    pub presented: usize,
    /// SHA-1 of the top certificate presented, 40 lowercase hex: what IAM wants as a thumbprint.
    pub thumbprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub url: String,
    pub checks: Vec<Check>,
    pub tls: Option<TlsReport>,
}

impl Report {
    /// A passed pre-flight of an instance behind a private CA whose top certificate has
    /// `thumbprint`: what tests of the gate and the wizard start from.
    #[cfg(test)]
    pub fn private_ca(url: &str, thumbprint: &str) -> Report {
        Report {
            url: url.to_string(),
            checks: vec![],
            tls: Some(TlsReport {
                public_ca: false,
                verify_error: Some("UnknownIssuer".into()),
                presented: 2,
                thumbprint: thumbprint.to_string(),
            }),
        }
    }

    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// The thumbprint IAM needs, when the chain is not public.
    pub fn needed_thumbprint(&self) -> Option<&str> {
        self.tls
            .as_ref()
            .filter(|t| !t.public_ca)
            .map(|t| t.thumbprint.as_str())
    }

    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = format!("Pre-flight of {} (what AWS will check):\n", self.url);
        for c in &self.checks {
            let _ = writeln!(
                s,
                "{} {:<10} {}",
                if c.passed { "✓" } else { "✗" },
                c.name,
                c.detail
            );
        }
        s
    }
}

/// The chain a server presented, and whether it verified against the roots.
type Seen = Option<(Vec<CertificateDer<'static>>, Result<(), String>)>;

/// Records the chain the server presents and whether it verifies against public roots, without
/// refusing it: the pre-flight reports; AWS decides.
#[derive(Debug)]
struct Recorder {
    public: Arc<WebPkiServerVerifier>,
    seen: Arc<Mutex<Seen>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self
            .public
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
            .map(drop)
            .map_err(|e| e.to_string());
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Ok(mut s) = self.seen.lock() {
            *s = Some((chain, verdict));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
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
        rustls::crypto::verify_tls13_signature(
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

/// SHA-1 of a DER certificate, lowercase hex.
pub fn thumbprint(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Handshake with the host and report the chain.
async fn probe_tls(
    host: &str,
    port: u16,
    roots: rustls::RootCertStore,
) -> Result<TlsReport, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let public = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let seen = Arc::new(Mutex::new(None));
    let verifier = Arc::new(Recorder {
        public,
        seen: seen.clone(),
        provider: provider.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
    let connect = async {
        let tcp = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| e.to_string())?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(Duration::from_secs(10), connect)
        .await
        .map_err(|_| "no answer within 10 s".to_string())??;
    let Some((chain, verdict)) = seen.lock().ok().and_then(|mut s| s.take()) else {
        return Err("the server presented no certificate".to_string());
    };
    Ok(TlsReport {
        public_ca: verdict.is_ok(),
        verify_error: verdict.err(),
        presented: chain.len(),
        thumbprint: chain.last().map(|c| thumbprint(c)).unwrap_or_default(),
    })
}

/// The chain `host:port` presents, checked against the public roots, with the thumbprint IAM
/// would need: what `check` compares a provider's thumbprints with.
pub async fn tls(host: &str, port: u16) -> Result<TlsReport, String> {
    probe_tls(host, port, public_roots()).await
}

/// The public roots (Mozilla's, as shipped by webpki-roots).
pub fn public_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

/// Run the pre-flight. `roots` decides what counts as a public CA (the public roots in the
/// product; tests add their throwaway CA to prove the other branch).
pub async fn run(url: &ProviderUrl, roots: rustls::RootCertStore, port: u16) -> Report {
    let mut checks = Vec::new();
    let host = url
        .host_path()
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let unreachable_hint = "AWS must reach the instance over HTTPS from the internet; if it cannot, publish the discovery document and keys at a public HTTPS URL and use that as the provider URL";
    let tls = match probe_tls(&host, port, roots).await {
        Ok(t) => {
            checks.push(Check {
                name: "tls",
                passed: true,
                detail: if t.public_ca {
                    "the certificate chain is signed by a public CA: IAM needs no thumbprint"
                        .to_string()
                } else {
                    format!(
                        "the chain is not signed by a public CA ({}): IAM needs the thumbprint {}",
                        t.verify_error.as_deref().unwrap_or("unknown issuer"),
                        t.thumbprint
                    )
                },
            });
            Some(t)
        }
        Err(e) => {
            checks.push(Check {
                name: "reachable",
                passed: false,
                detail: format!(
                    "{host}:{port} could not be reached over TLS ({e}). {unreachable_hint}"
                ),
            });
            return Report {
                url: url.as_str().to_string(),
                checks,
                tls: None,
            };
        }
    };
    // The documents are public metadata: fetched whatever the chain (its verdict is reported above).
    let http = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .tls_danger_accept_invalid_certs(true)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            checks.push(Check {
                name: "discovery",
                passed: false,
                detail: e.to_string(),
            });
            return Report {
                url: url.as_str().to_string(),
                checks,
                tls,
            };
        }
    };
    let base = if port == 443 {
        url.as_str().to_string()
    } else {
        format!("https://{host}:{port}{}", &url.host_path()[host.len()..])
    };
    let discovery_url = format!("{base}/.well-known/openid-configuration");
    let discovery: Option<serde_json::Value> = match http.get(&discovery_url).send().await {
        Ok(r) if r.status().is_success() => r.json().await.ok(),
        Ok(r) => {
            checks.push(Check {
                name: "discovery",
                passed: false,
                detail: format!(
                    "{discovery_url} answered {}: AWS reads the issuer's configuration there",
                    r.status()
                ),
            });
            None
        }
        Err(e) => {
            checks.push(Check {
                name: "discovery",
                passed: false,
                detail: format!(
                    "{discovery_url} could not be fetched ({}). {unreachable_hint}",
                    e.without_url()
                ),
            });
            None
        }
    };
    if let Some(doc) = discovery {
        let issuer = doc
            .get("issuer")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        checks.push(if issuer == url.as_str() {
            Check {
                name: "issuer",
                passed: true,
                detail: format!("{issuer:?} equals the provider URL"),
            }
        } else {
            Check {
                name: "issuer",
                passed: false,
                detail: format!(
                    "the discovery document says issuer {issuer:?}, not {:?}: tokens carry that issuer, and IAM matches it exactly (scheme, host, path, trailing slash). Use it as the provider URL, or fix the instance's external URL",
                    url.as_str()
                ),
            }
        });
        match doc.get("jwks_uri").and_then(|v| v.as_str()) {
            None => checks.push(Check {
                name: "jwks",
                passed: false,
                detail: "the discovery document has no jwks_uri: AWS cannot get the keys that sign the tokens".to_string(),
            }),
            Some(jwks) => {
                let fetched = http.get(jwks).send().await;
                let keys = match fetched {
                    Ok(r) if r.status().is_success() => r
                        .json::<serde_json::Value>()
                        .await
                        .ok()
                        .and_then(|v| v.get("keys").and_then(|k| k.as_array()).map(Vec::len)),
                    _ => None,
                };
                checks.push(match keys {
                    Some(n) if n > 0 => Check {
                        name: "jwks",
                        passed: true,
                        detail: format!("{jwks} serves {n} signing key{}", if n == 1 { "" } else { "s" }),
                    },
                    _ => Check {
                        name: "jwks",
                        passed: false,
                        detail: format!("{jwks} serves no signing keys: AWS could not verify any token"),
                    },
                });
            }
        }
    }
    Report {
        url: url.as_str().to_string(),
        checks,
        tls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprints_are_sha1_hex() {
        assert_eq!(
            thumbprint(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}
