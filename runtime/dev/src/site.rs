//! The site process: started on the tool's listening socket (handed over as systemd and a
//! restart hand it over, `rsp::handover`), told about text edits on its standard input,
//! stopped gracefully once its successor serves.

use std::net::TcpListener;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

use rsp::handover::Successor;

use crate::edits::Swap;
use crate::events::Events;

/// How long a new site has to start listening, and an old one to finish its requests.
const START_TIME: Duration = Duration::from_secs(30);
const STOP_TIME: Duration = Duration::from_secs(10);

pub(crate) struct Site {
    child: Child,
    stdin: ChildStdin,
    /// Lines of the site's standard output meant for the tool.
    replies: mpsc::UnboundedReceiver<String>,
}

impl Site {
    /// Starts the site on `listener` and waits until it serves.
    pub(crate) async fn start(
        executable: &Path,
        listener: &TcpListener,
        events: &Events,
        args: &[String],
    ) -> Result<Self, String> {
        let socket: OwnedFd = listener.try_clone().map_err(|e| e.to_string())?.into();
        let mut command = Command::new(executable);
        command
            .args(args)
            .env("RSP_DEV_EVENTS", events.url())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut site = Successor::start(command, vec![("main", socket)])
            .map_err(|e| format!("cannot start {}: {e}", executable.display()))?;
        let stdin = site.child().stdin.take().expect("piped");
        let stdout = site.child().stdout.take().expect("piped");
        let (send, replies) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("rsp-dev: ") {
                    let _ = send.send(line);
                // The site's own "listening on" line would repeat the tool's.
                } else if !line.starts_with("listening on ") {
                    println!("{line}");
                }
            }
        });
        site.ready(START_TIME)
            .await
            .map_err(|why| why.to_string())?;
        Ok(Self {
            child: site.into_child(),
            stdin,
            replies,
        })
    }

    /// Sends the new text of edited bodies; whether the site took every one.
    pub(crate) async fn swap(&mut self, swaps: &[Swap]) -> bool {
        for swap in swaps {
            let command = serde_json::json!({
                "file": swap.file,
                "compiled": swap.compiled,
                "new": swap.new,
            });
            let line = format!("{command}\n");
            if self.stdin.write_all(line.as_bytes()).await.is_err() {
                return false;
            }
            let reply = tokio::time::timeout(Duration::from_secs(5), self.replies.recv()).await;
            let swapped = match reply {
                Ok(Some(reply)) => reply
                    .strip_prefix("rsp-dev: swapped ")
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0),
                _ => 0,
            };
            // Not compiled into the site (a page behind a cfg, say): build instead.
            if swapped == 0 {
                return false;
            }
        }
        true
    }

    /// Asks the site to finish its requests and stop (SIGTERM), then waits for it.
    pub(crate) async fn stop(mut self) {
        if let Some(pid) = self.child.id().and_then(|id| i32::try_from(id).ok()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        if tokio::time::timeout(STOP_TIME, self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}
