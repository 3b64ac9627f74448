//! The self-managed pre-flight against a local HTTPS server with a throwaway CA made in the test:
//! a matching issuer passes, a mismatched issuer and a missing JWKS fail in words, the thumbprint
//! equals what openssl computes, and an unreachable instance is explained.
//!
//! And the AWS clients as real AWS endpoints take them: HTTPS with the system's trust store
//! (here a throwaway CA given by `SSL_CERT_FILE`, as rustls-native-certs reads it), the default
//! credential chain, and instance metadata (IMDSv2) at its end.

mod common;

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
/// A throwaway CA and a server certificate it signs for `name`: the acceptor presenting [leaf,
/// CA], and the CA.
fn tls_acceptor(
    ca_name: &str,
    name: &str,
) -> (tokio_rustls::TlsAcceptor, CertifiedIssuer<'static, KeyPair>) {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, ca_name);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let leaf_key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec![name.to_string()])
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
    (tokio_rustls::TlsAcceptor::from(Arc::new(config)), ca)
}

async fn instance(issuer: &str, jwks: bool) -> Instance {
    let (acceptor, ca) = tls_acceptor("aws-oidc-wizard test CA", "127.0.0.1");
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

/// A TLS front on 127.0.0.1 for a plain-HTTP upstream (the emulator), with a certificate of a
/// throwaway CA: its port, and the CA's PEM.
async fn https_front(upstream: u16) -> (u16, String) {
    let (acceptor, ca) = tls_acceptor("aws-oidc-wizard test CA (AWS endpoint)", "localhost");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (port, ca.pem())
}

/// A stand-in for EC2's instance metadata service, IMDSv2 only: a PUT for a session token, then
/// the role's name and its credentials under that token; how many credential reads it answered.
async fn imds() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = tcp.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let mut words = request.split_whitespace();
                let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                let tokened = request
                    .to_ascii_lowercase()
                    .contains("x-aws-ec2-metadata-token: imds-session");
                // The token's answer carries its lifetime, as IMDS's does (the SDK needs it).
                let mut headers = String::new();
                let (status, body) = match (method, path) {
                    ("PUT", "/latest/api/token") => {
                        headers.push_str("x-aws-ec2-metadata-token-ttl-seconds: 21600\r\n");
                        ("200 OK", "imds-session".to_string())
                    }
                    (_, _) if !tokened => ("401 Unauthorized", String::new()),
                    ("GET", "/latest/meta-data/iam/security-credentials/") => {
                        ("200 OK", "ci-instance-role".to_string())
                    }
                    ("GET", "/latest/meta-data/iam/security-credentials/ci-instance-role") => {
                        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        (
                            "200 OK",
                            json!({"Code": "Success", "Type": "AWS-HMAC",
                                "AccessKeyId": "ASIAIMDSEXAMPLE", "SecretAccessKey": "imds-secret",
                                "Token": "imds-session-token", "Expiration": "2099-01-01T00:00:00Z",
                                "LastUpdated": "2026-01-01T00:00:00Z"})
                            .to_string(),
                        )
                    }
                    _ => ("404 Not Found", String::new()),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tcp.write_all(response.as_bytes()).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    (port, served)
}

/// The binary against the emulator behind HTTPS: trusted through the system's store
/// (`SSL_CERT_FILE`), it reads the account with the default chain's keys from the environment, and
/// with credentials from instance metadata when there are none; an untrusted certificate fails
/// in one line, with nothing sent in the clear.
#[tokio::test(flavor = "multi_thread")]
async fn aws_endpoints_over_https_with_the_default_chain_and_instance_metadata() {
    let emu = common::Emulator::start();
    let upstream: u16 = emu
        .endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("emulator port");
    let (port, ca_pem) = https_front(upstream).await;
    let (imds_port, imds_served) = imds().await;
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &ca_pem).expect("ca");
    let endpoint = format!("https://localhost:{port}");
    let run = |env: Vec<(&str, String)>| {
        let mut c = std::process::Command::new(common::BIN);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("AWS_CONFIG_FILE", dir.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.path().join("no-credentials"),
            )
            .env("AWS_ENDPOINT_URL", &endpoint)
            .args(["check", "--all", "--offline"])
            .stdin(std::process::Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        common::Run::from(c.output().expect("run"))
    };
    let keys = vec![
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLETESTONLY".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test-secret".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
    ];
    let trusted = |mut env: Vec<(&'static str, String)>| {
        env.push(("SSL_CERT_FILE", ca.display().to_string()));
        env
    };

    emu.reset_calls();
    let with_keys = tokio::task::block_in_place(|| run(trusted(keys.clone())));
    assert_eq!(
        with_keys.code, 0,
        "{}{}",
        with_keys.stdout, with_keys.stderr
    );
    assert!(
        emu.calls()
            .iter()
            .any(|c| c == "iam.GetAccountAuthorizationDetails"),
        "{:?}",
        emu.calls()
    );

    // No keys, no profile: the chain ends at instance metadata (IMDSv2), and those credentials
    // sign the requests.
    emu.reset_calls();
    let from_imds = tokio::task::block_in_place(|| {
        run(trusted(vec![(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://127.0.0.1:{imds_port}"),
        )]))
    });
    assert_eq!(
        from_imds.code, 0,
        "{}{}",
        from_imds.stdout, from_imds.stderr
    );
    assert!(imds_served.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert!(!emu.calls().is_empty());

    // The CA not trusted: refused in one line, and nothing reached the emulator.
    emu.reset_calls();
    let untrusted = tokio::task::block_in_place(|| run(keys.clone()));
    assert_eq!(
        untrusted.code, 1,
        "{}{}",
        untrusted.stdout, untrusted.stderr
    );
    assert_eq!(untrusted.stderr.lines().count(), 1, "{}", untrusted.stderr);
    assert!(emu.calls().is_empty(), "{:?}", emu.calls());
}
