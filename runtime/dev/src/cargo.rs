//! Cargo: where the workspace is, and a debug build of the site.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::Options;

/// The root of the workspace the tool runs in.
pub(crate) async fn workspace_root() -> Result<PathBuf, String> {
    let output = Command::new(cargo())
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .await
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let manifest = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    manifest
        .parent()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo named no workspace".to_owned())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Builds the site in debug: the path of its executable, or the compiler's messages.
/// The messages also go to the terminal as cargo would print them.
pub(crate) async fn build(options: &Options) -> Result<PathBuf, String> {
    let mut command = Command::new(cargo());
    command.args(["build", "--message-format", "json-diagnostic-rendered-ansi"]);
    if let Some(package) = &options.package {
        command.args(["--package", package]);
    }
    if let Some(bin) = &options.bin {
        command.args(["--bin", bin]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut executable = None;
    let mut messages = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-message") => {
                if let Some(rendered) = message["message"]["rendered"].as_str() {
                    eprint!("{rendered}");
                    if message["message"]["level"] == "error" {
                        messages.push_str(&strip_ansi(rendered));
                    }
                }
            }
            Some("compiler-artifact") => {
                if let Some(path) = message["executable"].as_str() {
                    executable = Some(PathBuf::from(path));
                }
            }
            _ => {}
        }
    }
    let status = child.wait().await.map_err(|e| e.to_string())?;
    match executable {
        Some(path) if status.success() => Ok(path),
        _ if messages.is_empty() => Err("the build failed (see the terminal)".to_owned()),
        _ => Err(messages),
    }
}

/// The text of a message rendered with colours.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // `ESC [ … letter`
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn colours_are_stripped() {
        assert_eq!(
            super::strip_ansi("\u{1b}[1m\u{1b}[91merror\u{1b}[0m: x"),
            "error: x"
        );
    }
}
