//! Handing listening sockets to a new process as systemd does, and knowing when it serves:
//! the sockets become its descriptors 3, 4, … with `LISTEN_FDS` and `LISTEN_FDNAMES`, and
//! it says `READY=1` on the datagram socket named by `NOTIFY_SOCKET`, which every rsp site
//! does once it serves. A restart without downtime (`SIGUSR2`) and `cargo dev`'s restarts
//! both start their new site this way.

use std::io;
use std::os::fd::OwnedFd;
use std::process::ExitStatus;
use std::time::Duration;

use command_fds::{CommandFdExt, FdMapping};
use tokio::net::UnixDatagram;
use tokio::process::{Child, Command};

/// A process started on handed-over sockets. Not a public API: shared with `rsp-dev`.
#[derive(Debug)]
pub struct Successor {
    child: Child,
    notify: UnixDatagram,
    /// Holds the notify socket's file until the successor is ready or gone.
    _dir: tempfile::TempDir,
}

/// Why a successor did not become ready.
#[derive(Debug)]
pub enum NotReady {
    /// It exited first (a bad setting, say); its status.
    Exited(io::Result<ExitStatus>),
    /// It did not say it was ready within the time given; it was killed.
    TimedOut(Duration),
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exited(Ok(status)) => write!(f, "it exited before it served ({status})"),
            Self::Exited(Err(e)) => write!(f, "it could not be waited for: {e}"),
            Self::TimedOut(limit) => write!(f, "it did not serve within {} s", limit.as_secs()),
        }
    }
}

impl Successor {
    /// Starts `command` with `sockets` handed over, each named for `LISTEN_FDNAMES`
    /// (`main`, `http`); the command's own settings (arguments, environment, standard
    /// streams, `kill_on_drop`) are kept.
    ///
    /// # Errors
    /// If the notify socket cannot be made or the command cannot start.
    pub fn start(mut command: Command, sockets: Vec<(&str, OwnedFd)>) -> io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("rsp-handover").tempdir()?;
        let path = dir.path().join("notify");
        let notify = UnixDatagram::bind(&path)?;
        let names: Vec<&str> = sockets.iter().map(|(name, _)| *name).collect();
        let mappings = sockets
            .into_iter()
            .zip(3..)
            .map(|((_, parent_fd), child_fd)| FdMapping {
                parent_fd,
                child_fd,
            })
            .collect();
        command
            .as_std_mut()
            .fd_mappings(mappings)
            .map_err(io::Error::other)?;
        command
            .env("LISTEN_FDS", names.len().to_string())
            .env("LISTEN_FDNAMES", names.join(":"))
            // The sockets are for whichever process this command becomes.
            .env_remove("LISTEN_PID")
            .env("NOTIFY_SOCKET", &path);
        let child = command.spawn()?;
        Ok(Self {
            child,
            notify,
            _dir: dir,
        })
    }

    /// Waits until the successor says `READY=1`; if it exits first, or `limit` passes
    /// (then it is killed), says why.
    ///
    /// # Errors
    /// [`NotReady`], with the reason.
    pub async fn ready(&mut self, limit: Duration) -> Result<(), NotReady> {
        let ready = async {
            let mut message = [0u8; 4096];
            loop {
                let Ok(n) = self.notify.recv(&mut message).await else {
                    return false;
                };
                let said = String::from_utf8_lossy(&message[..n]);
                if said.lines().any(|line| line == "READY=1") {
                    return true;
                }
            }
        };
        tokio::select! {
            ready = tokio::time::timeout(limit, ready) => match ready {
                Ok(true) => Ok(()),
                Ok(false) => Err(NotReady::Exited(self.child.wait().await)),
                Err(_) => {
                    let _ = self.child.kill().await;
                    Err(NotReady::TimedOut(limit))
                }
            },
            status = self.child.wait() => Err(NotReady::Exited(status)),
        }
    }

    /// The process.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// The process, once ready.
    pub fn into_child(self) -> Child {
        self.child
    }
}

/// How long a new process started by `SIGUSR2` has to serve.
const SUCCESSOR_START_LIMIT: Duration = Duration::from_secs(30);

/// On every `SIGUSR2`, starts the executable on disk with `sockets` handed over, until one
/// serves: then says its process id on `handed_over`.
pub(crate) fn restart_on_user_signal(
    sockets: Vec<(&'static str, std::os::fd::OwnedFd)>,
    handed_over: tokio::sync::oneshot::Sender<u32>,
) -> io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};

    let mut signals = signal(SignalKind::user_defined2())?;
    let executable = executable()?;
    tokio::spawn(async move {
        while signals.recv().await.is_some() {
            tracing::info!("restarting: starting {}", executable.display());
            let handed = sockets
                .iter()
                .map(|(name, fd)| Ok((*name, fd.try_clone()?)))
                .collect::<io::Result<Vec<_>>>();
            let mut command = tokio::process::Command::new(&executable);
            command.args(std::env::args_os().skip(1));
            let started = handed.and_then(|handed| Successor::start(command, handed));
            let mut successor = match started {
                Ok(successor) => successor,
                Err(e) => {
                    tracing::error!("restart failed, this process goes on serving: {e}");
                    continue;
                }
            };
            match successor.ready(SUCCESSOR_START_LIMIT).await {
                Ok(()) => {
                    let pid = successor.child().id().unwrap_or_default();
                    let _ = handed_over.send(pid);
                    return;
                }
                Err(why) => {
                    tracing::error!("restart failed, this process goes on serving: {why}");
                }
            }
        }
    });
    Ok(())
}

/// The path this program was started from, read the first time this is called: the file
/// there later is the new build, and once that replaced this one, the path the kernel gives
/// for this process is no longer it. [`App::serve`](crate::App::serve) calls it before it
/// says it listens.
pub(crate) fn executable() -> io::Result<std::path::PathBuf> {
    static STARTED_FROM: std::sync::OnceLock<Result<std::path::PathBuf, String>> =
        std::sync::OnceLock::new();
    STARTED_FROM
        .get_or_init(|| std::env::current_exe().map_err(|e| e.to_string()))
        .clone()
        .map_err(io::Error::other)
}
