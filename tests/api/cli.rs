//! The `socval` binary as an operator uses it: configuration errors, subcommands, the README flow
//! (migrate, serve, mint a token, call the API) and a graceful stop on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_socval");

/// The binary with a clean environment: only what the test sets, whatever the CI exports.
fn socval(dir: &std::path::Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .current_dir(dir)
        .envs(env.iter().copied());
    command
}

fn run(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    socval(dir, env).args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_lists_the_subcommands_and_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &[], &["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "serve",
        "migrate",
        "openapi",
        "token",
        "healthcheck",
        "check-audit",
        "SOCVAL_BIND",
        "DATABASE_URL",
        "SOCVAL_JWT_SECRET",
    ] {
        assert!(
            help.contains(expected),
            "`{expected}` missing from --help:\n{help}"
        );
    }
}

#[test]
fn an_invalid_setting_stops_serve_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &[("SOCVAL_MAX_BODY_BYTES", "lots")], &["serve"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("SOCVAL_MAX_BODY_BYTES"),
        "{}",
        stderr(&output)
    );
    assert!(
        !dir.path().join("socval.db").exists(),
        "nothing was created"
    );
}

#[test]
fn production_refuses_to_serve_without_its_own_keys() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &[("SOCVAL_ENV", "production")], &["serve"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("SOCVAL_JWT_SECRET"),
        "{}",
        stderr(&output)
    );

    let output = run(
        dir.path(),
        &[
            ("SOCVAL_ENV", "production"),
            ("SOCVAL_JWT_SECRET", socval::config::DEVELOPMENT_JWT_SECRET),
        ],
        &["serve"],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("development secret"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn openapi_prints_the_committed_document() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &[], &["openapi"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        include_str!("../../openapi/openapi.json")
    );
}

#[test]
fn token_refuses_an_unknown_role() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[],
        &["token", "--role", "root", "--org", "acme"],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("platform"),
        "lists the valid roles: {}",
        stderr(&output)
    );
}

/// A running `socval serve` child and the port it reported.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let mut child = socval(dir, env)
            .envs([
                ("SOCVAL_BIND", "127.0.0.1:0"),
                ("SOCVAL_LOG_FORMAT", "json"),
            ])
            .arg("serve")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (port_tx, port_rx) = mpsc::channel();
        let log = BufReader::new(child.stderr.take().unwrap());
        // Keeps draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in log.lines().map_while(Result::ok) {
                if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
                    && event["fields"]["message"] == "socval listening"
                {
                    let address = event["fields"]["address"].as_str().unwrap_or_default();
                    let port = address.rsplit(':').next().and_then(|p| p.parse().ok());
                    let _ = port_tx.send(port);
                }
            }
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(20))
            .ok()
            .flatten()
            .expect("the server reports its address");
        Self { child, port }
    }

    fn request(&self, head: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .write_all(format!("{head}Host: localhost\r\nConnection: close\r\n\r\n").as_bytes())
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn migrate_then_serve_then_a_minted_token_is_accepted_then_sigterm_lets_requests_finish() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", "sqlite://data.db"),
        (
            "SOCVAL_JWT_SECRET",
            "a-secret-shared-by-serve-and-token-commands",
        ),
        ("SOCVAL_MIGRATE_ON_START", "false"),
    ];
    let migrated = run(dir.path(), &env, &["migrate"]);
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    assert!(dir.path().join("data.db").exists());

    let server = Server::start(dir.path(), &env);
    assert!(
        server
            .request("GET /readyz HTTP/1.1\r\n")
            .starts_with("HTTP/1.1 200")
    );
    let bind = format!("0.0.0.0:{}", server.port);
    let healthy = run(
        dir.path(),
        &[("SOCVAL_BIND", bind.as_str())],
        &["healthcheck"],
    );
    assert!(healthy.status.success(), "{}", stderr(&healthy));

    let minted = run(
        dir.path(),
        &env,
        &[
            "token",
            "--role",
            "commercial,auditor",
            "--org",
            "acme",
            "--sub",
            "alice",
            "--ttl",
            "10m",
        ],
    );
    assert!(minted.status.success(), "{}", stderr(&minted));
    let token = String::from_utf8(minted.stdout).unwrap();
    let whoami = server.request(&format!(
        "GET /v1/whoami HTTP/1.1\r\nAuthorization: Bearer {}\r\n",
        token.trim()
    ));
    assert!(whoami.starts_with("HTTP/1.1 200"), "{whoami}");
    assert!(
        whoami.contains(r#"{"sub":"alice","org":"acme","roles":["commercial","auditor"]}"#),
        "{whoami}"
    );

    // A request still streaming its body when SIGTERM lands is answered before the exit.
    let example: serde_json::Value =
        serde_json::from_str(include_str!("../golden/worked_example.json")).unwrap();
    let body = serde_json::json!({"scheme": example["scheme"], "measures": example["measures"]})
        .to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut in_flight = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        in_flight,
        "POST /v1/schemes/validate HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first_half}",
        token.trim(),
        body.len()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    in_flight.write_all(second_half.as_bytes()).unwrap();
    let mut response = String::new();
    in_flight.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "in-flight request answered: {response:?}"
    );
    assert!(response.contains(r#""valid":true"#), "{response}");

    let mut server = server;
    let exit = wait_for_exit(&mut server.child, Duration::from_secs(10));
    assert_eq!(exit, Some(0), "the server exits cleanly after draining");
    let unhealthy = run(
        dir.path(),
        &[("SOCVAL_BIND", bind.as_str())],
        &["healthcheck"],
    );
    assert!(!unhealthy.status.success(), "nothing answers once stopped");
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}
