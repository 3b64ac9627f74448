//! Whole-process timings of a fresh `apply` (a new provider, a new role, two policies) through a
//! latency-injecting proxy in front of the emulator, at 0 and 300 ms per request: the wall time,
//! the requests sent, and the floor of 5 dependent round trips (who the caller is; the provider,
//! the role and the policies read side by side; the provider made; the role made; both policies
//! attached side by side). Each run starts from an empty account (a new emulator).
//!
//! `AOW_BENCH_BASELINE=/path/to/an/older/binary` times that binary the same way, beside this one.
//! Run with `cargo bench --bench apply`; it needs the emulator venv (`bash tests/run` makes it).
#![allow(
    clippy::disallowed_macros,
    reason = "a test or bench prints its figures"
)]

#[path = "../common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::time::{Duration, Instant};

use common::Emulator;
use common::proxy::Proxy;

const FLAGS: [&str; 10] = [
    "apply",
    "--project",
    "acme/web",
    "--role-name",
    "gitlab-acme-web",
    "--policy",
    "ReadOnlyAccess",
    "--policy",
    "job-function/ViewOnlyAccess",
    "--no-pin-namespace-ids",
];

/// Best of three fresh applies by `bin` at `latency`: wall time and requests sent.
fn time_apply(bin: &str, latency: Duration) -> (Duration, usize) {
    let mut best = (Duration::MAX, 0);
    for _ in 0..3 {
        let emu = Emulator::start();
        let proxy = Proxy::start(&emu.endpoint);
        proxy.set_latency(latency);
        let mut cmd = std::process::Command::new(bin);
        cmd.env_clear();
        for (k, v) in emu.env_pairs() {
            cmd.env(k, v);
        }
        cmd.env("AWS_ENDPOINT_URL", proxy.url()).args(FLAGS);
        let started = Instant::now();
        let out = cmd.output().expect("run the binary");
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if took < best.0 {
            best = (took, proxy.seen());
        }
    }
    best
}

fn main() {
    let baseline = std::env::var("AOW_BENCH_BASELINE").ok();
    println!("fresh apply, a provider, a role and two policies (best of 3 whole-process runs):");
    for latency in [0u64, 300] {
        let floor = Duration::from_millis(5 * latency);
        let mut bins = vec![("this build", common::BIN.to_string())];
        if let Some(b) = &baseline {
            bins.push(("baseline", b.clone()));
        }
        for (name, bin) in bins {
            let (took, sent) = time_apply(&bin, Duration::from_millis(latency));
            println!(
                "  {latency:>3} ms/request  {name:<10}  {:>5.2} s wall  {sent:>2} requests  floor of 5 round trips {:>4.2} s",
                took.as_secs_f64(),
                floor.as_secs_f64()
            );
        }
    }
}
