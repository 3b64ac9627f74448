//! Copying the ARN: OSC 52 (works over SSH, through the terminal) plus the system clipboard where a
//! clipboard tool exists.

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine as _;

pub fn base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Write the OSC 52 sequence to `out` (the terminal).
pub fn write_osc52(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

/// Try the system clipboard tools; returns the one that took it.
fn system_clipboard(text: &str) -> Option<&'static str> {
    let candidates: &[(&str, &[&str])] = &[
        ("wl-copy", &[]),
        ("xclip", &["-selection", "clipboard"]),
        ("xsel", &["--clipboard", "--input"]),
        ("pbcopy", &[]),
    ];
    let graphical =
        std::env::var_os("WAYLAND_DISPLAY").is_some() || std::env::var_os("DISPLAY").is_some();
    for (tool, args) in candidates {
        if !graphical && *tool != "pbcopy" {
            continue;
        }
        let Ok(mut child) = Command::new(tool)
            .args(*args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            continue;
        };
        let wrote = child
            .stdin
            .take()
            .is_some_and(|mut s| s.write_all(text.as_bytes()).is_ok());
        if wrote && child.wait().is_ok_and(|st| st.success()) {
            return Some(tool);
        }
    }
    None
}

/// What a copy did: `sure` when a clipboard tool took it; OSC 52 alone is only a request to the
/// terminal, which may ignore it, and is said as such.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub sure: bool,
    /// How, in words: `with xclip (and OSC 52)`, or `sent with OSC 52`.
    pub how: String,
}

/// Copy with every means there is; says which worked, and never claims more.
pub fn copy(text: &str) -> Result<Copied, String> {
    // Base64 inside the one sequence this writes: nothing of `text` is raw on the terminal.
    #[allow(
        clippy::disallowed_methods,
        reason = "OSC 52 is for the terminal itself"
    )]
    let osc = write_osc52(&mut std::io::stderr(), text).is_ok();
    match (osc, system_clipboard(text)) {
        (true, Some(tool)) => Ok(Copied {
            sure: true,
            how: format!("with {tool} (and OSC 52)"),
        }),
        (false, Some(tool)) => Ok(Copied {
            sure: true,
            how: format!("with {tool}"),
        }),
        (true, None) => Ok(Copied {
            sure: false,
            how: "sent with OSC 52: your terminal copies it if it supports that".to_string(),
        }),
        (false, None) => Err("no clipboard available; select it with the mouse".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn osc52_into_a_buffer() {
        let mut buf = Vec::new();
        write_osc52(&mut buf, "arn:aws:iam::123456789012:role/r").unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "\x1b]52;c;YXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjpyb2xlL3I=\x07"
        );
    }
}
