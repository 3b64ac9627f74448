//! Thin entry point: parse arguments, run, map the result to an exit code.
#![deny(clippy::unwrap_used, clippy::panic)]

use std::process::ExitCode;

fn main() -> ExitCode {
    aws_oidc_wizard::started();
    let cli = match aws_oidc_wizard::cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            aws_oidc_wizard::cli::exit::say(&format!(
                "error: cannot start the async runtime: {e}\n"
            ));
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(aws_oidc_wizard::cli::run(cli))
}
