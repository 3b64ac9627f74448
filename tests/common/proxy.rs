//! A small fault-injecting HTTP proxy in front of the emulator: each request gets its own upstream
//! connection; chosen requests (by their number, or by the AWS action they carry) are dropped,
//! delayed past the client's timeout, or answered with an HTTP error such as 503 or an AWS
//! Throttling error.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without answering.
    Drop,
    /// Hold the request this long, then close without answering.
    Delay(Duration),
    /// Answer with this HTTP status and AWS error code.
    Status(u16, &'static str),
}

/// Faults by request number, and by AWS action (with how many of its requests are left to hit).
#[derive(Default)]
struct Faults {
    by_index: BTreeMap<usize, Fault>,
    by_action: BTreeMap<String, (usize, Fault)>,
}

impl Faults {
    fn take(&mut self, index: usize, request: &[u8]) -> Option<Fault> {
        if let Some(f) = self.by_index.remove(&index) {
            return Some(f);
        }
        let body = String::from_utf8_lossy(request);
        let (action, (left, fault)) = self
            .by_action
            .iter_mut()
            .find(|(action, _)| body.contains(&format!("Action={action}&")))?;
        let fault = *fault;
        *left -= 1;
        if *left == 0 {
            let action = action.clone();
            self.by_action.remove(&action);
        }
        Some(fault)
    }
}

pub struct Proxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    seen: Arc<AtomicUsize>,
    /// Added before each request is answered, in milliseconds (a real IAM round trip).
    latency_ms: Arc<AtomicUsize>,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("upstream address");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let faults: Arc<Mutex<Faults>> = Arc::default();
        let seen = Arc::new(AtomicUsize::new(0));
        let latency_ms = Arc::new(AtomicUsize::new(0));
        let (f, n, l) = (faults.clone(), seen.clone(), latency_ms.clone());
        std::thread::spawn(move || {
            // Bounded: a test makes far fewer requests than this, a benchmark a few thousand.
            for stream in listener.incoming().take(50_000).flatten() {
                let index = n.fetch_add(1, Ordering::SeqCst) + 1;
                let f = f.clone();
                let delay = Duration::from_millis(l.load(Ordering::SeqCst) as u64);
                std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    serve(stream, upstream, index, &f)
                });
            }
        });
        Proxy {
            addr,
            faults,
            seen,
            latency_ms,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Apply `fault` to requests number `from`, `from + 1`, … (`times` of them; numbered from 1).
    pub fn fault(&self, from: usize, times: usize, fault: Fault) {
        if let Ok(mut m) = self.faults.lock() {
            for i in from..from + times {
                m.by_index.insert(i, fault);
            }
        }
    }

    /// Apply `fault` to the next `times` requests of the AWS `action` (e.g. `AttachRolePolicy`),
    /// whatever their number: retries of earlier calls under load do not move it.
    pub fn fault_on(&self, action: &str, times: usize, fault: Fault) {
        if let Ok(mut m) = self.faults.lock() {
            m.by_action.insert(action.to_string(), (times, fault));
        }
    }

    /// Hold every request this long before answering it (each in its own thread, so requests in
    /// flight at once wait side by side, as with a distant endpoint).
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as usize, Ordering::SeqCst);
    }

    /// How many requests reached the proxy.
    pub fn seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Some(buf);
            }
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The same request, asking the upstream to close after answering.
fn with_connection_close(request: &[u8]) -> Vec<u8> {
    let end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(request.len());
    let head = String::from_utf8_lossy(&request[..end]);
    let mut out: String = head
        .lines()
        .filter(|l| !l.to_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(request.get(end + 4..).unwrap_or_default());
    bytes
}

fn serve(mut client: TcpStream, upstream: SocketAddr, index: usize, faults: &Mutex<Faults>) {
    let Some(request) = read_request(&mut client) else {
        return;
    };
    let fault = faults.lock().ok().and_then(|mut f| f.take(index, &request));
    match fault {
        Some(Fault::Drop) => {
            let _ = client.shutdown(Shutdown::Both);
        }
        Some(Fault::Delay(d)) => {
            std::thread::sleep(d);
            let _ = client.shutdown(Shutdown::Both);
        }
        Some(Fault::Status(status, code)) => {
            let body = format!(
                "<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>injected by the test proxy</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
            );
            let _ = write!(
                client,
                "HTTP/1.1 {status} Injected\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        None => {
            let Ok(mut up) = TcpStream::connect(upstream) else {
                return;
            };
            let _ = up.set_read_timeout(Some(Duration::from_secs(30)));
            if up.write_all(&with_connection_close(&request)).is_err() {
                return;
            }
            let mut response = Vec::new();
            let _ = up.read_to_end(&mut response);
            let _ = client.write_all(&response);
        }
    }
}
