//! The site under a service manager: a socket handed over by systemd, and the
//! notifications of `Type=notify`.

mod common;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{empty_dir, exe};

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn systemd_socket_activation_serves_on_the_inherited_socket() {
    let tool = "/usr/bin/systemd-socket-activate";
    assert!(
        std::path::Path::new(tool).exists(),
        "{tool} is missing: install Debian's `systemd` package (.ci/run does)"
    );
    let dir = empty_dir("socket-activation");
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let mut activator = Command::new(tool)
        .args(["-l", &address, "--fdname=main"])
        .arg(exe())
        .args(["--data", dir.join("data").to_str().unwrap()])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The socket is systemd-socket-activate's: the site starts on the first connection.
    let mut answer = None;
    for _ in 0..100 {
        if let Ok(res) = reqwest::get(format!("http://{address}/hello/socket")).await {
            answer = Some((res.status(), res.text().await.unwrap()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = activator.kill();
    let _ = activator.wait();
    let (status, body) = answer.expect("the site answers on the activated socket");
    assert_eq!(status, 200);
    assert!(body.contains("Hello, socket!"), "{body}");
}

#[test]
fn the_site_tells_systemd_it_is_ready_and_stopping() {
    let dir = empty_dir("notify");
    let socket_path = dir.join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut site = Command::new(exe())
        .args([
            "--addr",
            "127.0.0.1:0",
            "--data",
            dir.join("data").to_str().unwrap(),
        ])
        .env("NOTIFY_SOCKET", &socket_path)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut message = [0u8; 256];
    let n = socket.recv(&mut message).expect("READY=1 within 20 s");
    assert_eq!(&message[..n], b"READY=1\n");
    let term = Command::new("kill")
        .args(["-TERM", &site.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let n = socket.recv(&mut message).expect("STOPPING=1 on SIGTERM");
    assert_eq!(&message[..n], b"STOPPING=1\n");
    let status = site.wait().unwrap();
    assert!(status.success(), "{status}");
}
