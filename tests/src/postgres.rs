//! A PostgreSQL server of the test's own: `initdb` in a folder of the test's, the server on
//! a free loopback port, run as the `postgres` user when the test runs as root (the server
//! refuses root). Debian's `postgresql` package, which `.ci/run` installs; a test that needs
//! it fails when it is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A running server, stopped when dropped.
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    /// `postgres://rsp@127.0.0.1:PORT/postgres`.
    pub url: String,
}

impl Postgres {
    /// Makes a cluster in `dir/postgres` and starts it.
    ///
    /// # Panics
    /// If PostgreSQL is not installed (`apt-get install postgresql`) or does not start.
    pub fn start(dir: &Path) -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .filter_map(|version| Some(version.ok()?.path().join("bin")))
                    .filter(|bin| bin.join("initdb").exists())
                    .max()
            })
            .expect("PostgreSQL is missing: `apt-get install postgresql` (.ci/run does)");
        let data = dir.join("postgres");
        std::fs::create_dir_all(&data).unwrap();
        if as_root() {
            let owner = Command::new("id")
                .args(["-u", "postgres"])
                .output()
                .unwrap();
            let uid: u32 = String::from_utf8_lossy(&owner.stdout)
                .trim()
                .parse()
                .unwrap();
            std::os::unix::fs::chown(&data, Some(uid), None).unwrap();
        }
        let port = crate::pebble::free_port();
        let server = Self {
            bin,
            data,
            url: format!("postgres://rsp@127.0.0.1:{port}/postgres"),
        };
        server.run(
            "initdb",
            &["-D", ".", "-U", "rsp", "-A", "trust", "--no-sync"],
        );
        let options = format!("-p {port} -k . -c listen_addresses=127.0.0.1 -c fsync=off");
        server.run(
            "pg_ctl",
            &["-D", ".", "-l", "server.log", "-o", &options, "-w", "start"],
        );
        server
    }

    /// Stops the server now (a database that goes away).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", ".", "-m", "immediate", "-w", "stop"]);
    }

    /// Runs a PostgreSQL program in the cluster's folder; panics with its output if it
    /// fails.
    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
        );
    }

    /// A PostgreSQL program in the cluster's folder, as `postgres` under root.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        let mut command = if as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        command.current_dir(&self.data).stdin(Stdio::null());
        command
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", ".", "-m", "immediate", "stop"])
            .output();
    }
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}
