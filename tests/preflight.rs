//! The self-managed pre-flight against a local HTTPS server with a throwaway CA made in the test:
//! a matching issuer passes, a mismatched issuer and a missing JWKS fail in words, the thumbprint
//! equals what openssl computes, and an unreachable instance is explained.

use std::sync::Arc;

use aws_oidc_wizard::plan::input::ProviderUrl;
use aws_oidc_wizard::preflight::{self, public_roots};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Instance {
    port: u16,
    ca_pem: String,
    ca_der: CertificateDer<'static>,
}

/// An HTTPS server on 127.0.0.1 presenting [leaf, CA]. Its discovery document names `issuer` and,
/// when `jwks` is true, a `jwks_uri` on itself that serves one key.
async fn instance(issuer: &str, jwks: bool) -> Instance {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "aws-oidc-wizard test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let leaf_key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("params")
        .signed_by(&leaf_key, &ca)
        .expect("leaf");
    let chain = vec![leaf.der().clone(), ca.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut discovery = json!({"issuer": issuer, "response_types_supported": ["code"],
        "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]});
    if jwks {
        discovery["jwks_uri"] = json!(format!("https://127.0.0.1:{port}/oauth/discovery/keys"));
    }
    let keys = json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "e": "AQAB", "n": "xyz"}]});
    tokio::spawn(async move {
        // Bounded: a test makes a handful of requests.
        for _ in 0..50 {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let (discovery, keys) = (discovery.clone(), keys.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 4096];
                let n = tls.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let (status, body) = match request.split_whitespace().nth(1).unwrap_or("/") {
                    "/.well-known/openid-configuration" => ("200 OK", discovery.to_string()),
                    "/oauth/discovery/keys" => ("200 OK", keys.to_string()),
                    _ => ("404 Not Found", "{}".to_string()),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Instance {
        port,
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
    }
}

fn url() -> ProviderUrl {
    ProviderUrl::parse("https://127.0.0.1").expect("url")
}

fn openssl_sha1(pem: &str) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, pem).expect("write");
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(&path)
        .output()
        .expect("openssl is needed for this test");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split('=')
        .nth(1)
        .unwrap_or_default()
        .trim()
        .replace(':', "")
        .to_lowercase()
}

#[tokio::test]
async fn a_matching_issuer_passes_and_the_thumbprint_is_what_openssl_computes() {
    let inst = instance("https://127.0.0.1", true).await;
    let report = preflight::run(&url(), public_roots(), inst.port).await;
    assert!(report.passed(), "{}", report.text());
    let tls = report.tls.clone().expect("tls");
    assert!(!tls.public_ca, "a throwaway CA is not public");
    assert_eq!(tls.presented, 2);
    assert_eq!(tls.thumbprint, openssl_sha1(&inst.ca_pem));
    assert_eq!(report.needed_thumbprint(), Some(tls.thumbprint.as_str()));
    let text = report.text();
    assert!(
        text.contains("IAM needs the thumbprint") && !text.contains("--"),
        "{text}"
    );
    assert!(text.contains("✓ issuer"), "{text}");
    assert!(text.contains("serves 1 signing key"), "{text}");

    // Trusting that CA, the chain counts as public: no thumbprint needed.
    let mut roots = public_roots();
    roots.add(inst.ca_der.clone()).expect("add root");
    let trusted = preflight::run(&url(), roots, inst.port).await;
    assert!(
        trusted.tls.as_ref().expect("tls").public_ca,
        "{}",
        trusted.text()
    );
    assert_eq!(trusted.needed_thumbprint(), None);
}

#[tokio::test]
async fn a_mismatched_issuer_fails_in_words() {
    let inst = instance("https://127.0.0.1/", true).await;
    let report = preflight::run(&url(), public_roots(), inst.port).await;
    assert!(!report.passed());
    let issuer = report
        .checks
        .iter()
        .find(|c| c.name == "issuer")
        .expect("issuer check");
    assert!(!issuer.passed);
    assert!(
        issuer.detail.contains("trailing slash"),
        "{}",
        issuer.detail
    );
}

#[tokio::test]
async fn a_missing_jwks_fails_in_words() {
    let inst = instance("https://127.0.0.1", false).await;
    let report = preflight::run(&url(), public_roots(), inst.port).await;
    assert!(!report.passed());
    let jwks = report
        .checks
        .iter()
        .find(|c| c.name == "jwks")
        .expect("jwks check");
    assert!(jwks.detail.contains("no jwks_uri"), "{}", jwks.detail);
}

#[tokio::test]
async fn an_unreachable_instance_is_explained() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    let report = preflight::run(&url(), public_roots(), port).await;
    assert!(!report.passed());
    assert!(
        report.text().contains("AWS must reach the instance"),
        "{}",
        report.text()
    );
}
