//! `socval healthcheck`: asks a running server for `/healthz`. Container images without a shell or
//! curl (distroless) use it as their HEALTHCHECK.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, bail};

const TIMEOUT: Duration = Duration::from_secs(2);

/// Succeeds when `GET /healthz` on `bind` answers 200. A wildcard bind address (`0.0.0.0`) is
/// probed on loopback, where the server also listens.
pub fn healthz(bind: SocketAddr) -> anyhow::Result<()> {
    let mut address = bind;
    if address.ip().is_unspecified() {
        address.set_ip(if bind.is_ipv4() {
            [127, 0, 0, 1].into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let mut stream = TcpStream::connect_timeout(&address, TIMEOUT)
        .with_context(|| format!("connecting to {address}"))?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut status_line = [0u8; 12];
    stream
        .read_exact(&mut status_line)
        .context("reading the response")?;
    if &status_line != b"HTTP/1.1 200" {
        bail!("unhealthy: {}", String::from_utf8_lossy(&status_line));
    }
    Ok(())
}
