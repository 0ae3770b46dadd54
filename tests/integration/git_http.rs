//! A smart-HTTP git server on 127.0.0.1 for the tests: axum answers each
//! request by running `git http-backend` (the CGI program git ships) over
//! the repositories in one folder, as a forge's HTTPS endpoint would,
//! without TLS. With an account, it refuses any request without that
//! Basic authorization (401), and it keeps every `Authorization` header it
//! was sent, so a test can check which credentials went where.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

pub struct GitHttp {
    pub port: u16,
    /// The `Authorization` headers received, in order.
    pub seen: Arc<Mutex<Vec<String>>>,
}

/// Whether `git http-backend` runs here (it is part of git).
pub fn available() -> bool {
    Command::new("git")
        .args(["http-backend"])
        .env("REQUEST_METHOD", "GET")
        .env("GIT_PROJECT_ROOT", std::env::temp_dir())
        .env("PATH_INFO", "/nothing/info/refs")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Serves the repositories under `root` until the test process ends.
pub fn serve(root: &Path, account: Option<(&str, &str)>) -> GitHttp {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let wanted =
        account.map(|(user, password)| format!("Basic {}", base64(&format!("{user}:{password}"))));
    let (root, theirs) = (root.to_path_buf(), seen.clone());
    let port = on_loopback(|listener| async move {
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            answer(root.clone(), wanted.clone(), theirs.clone(), request)
        });
        axum::serve(listener, app).await.unwrap();
    });
    GitHttp { port, seen }
}

/// A free port of 127.0.0.1, served by `serve` on a thread of its own
/// (with a runtime of its own) until the test process ends.
fn on_loopback<F, Serving>(serve: F) -> u16
where
    F: FnOnce(tokio::net::TcpListener) -> Serving + Send + 'static,
    Serving: std::future::Future<Output = ()>,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            serve(tokio::net::TcpListener::from_std(listener).unwrap()).await;
        });
    });
    port
}

async fn answer(
    root: PathBuf,
    wanted: Option<String>,
    seen: Arc<Mutex<Vec<String>>>,
    request: axum::extract::Request,
) -> axum::response::Response<axum::body::Body> {
    let (parts, body) = request.into_parts();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let authorization = header("authorization");
    if let Some(given) = &authorization {
        seen.lock().unwrap().push(given.clone());
    }
    if wanted.is_some() && authorization != wanted {
        return axum::response::Response::builder()
            .status(401)
            .header("WWW-Authenticate", "Basic realm=\"git\"")
            .body(axum::body::Body::empty())
            .unwrap();
    }
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", &root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("PATH_INFO", parts.uri.path())
        .env("QUERY_STRING", parts.uri.query().unwrap_or(""))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, variable) in [
        ("content-type", "CONTENT_TYPE"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
        ("git-protocol", "GIT_PROTOCOL"),
    ] {
        if let Some(value) = header(name) {
            command.env(variable, value);
        }
    }
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = command.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Written on its own thread: the backend may answer before it has
        // read everything.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&body);
        });
        let output = child.wait_with_output().unwrap();
        let _ = writer.join();
        output.stdout
    })
    .await
    .unwrap();
    cgi_response(&output)
}

/// A CGI program's output (headers, a blank line, the body) as a response.
fn cgi_response(output: &[u8]) -> axum::response::Response<axum::body::Body> {
    let split = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, 4))
        .or_else(|| {
            output
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|at| (at, 2))
        });
    let Some((at, gap)) = split else {
        return axum::response::Response::builder()
            .status(502)
            .body(axum::body::Body::empty())
            .unwrap();
    };
    let mut response = axum::response::Response::builder();
    for line in String::from_utf8_lossy(&output[..at]).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code: u16 = value
                .split(' ')
                .next()
                .unwrap_or("500")
                .parse()
                .unwrap_or(500);
            response = response.status(code);
        } else {
            response = response.header(name.trim(), value);
        }
    }
    response
        .body(axum::body::Body::from(output[at + gap..].to_vec()))
        .unwrap()
}

pub fn base64(text: &str) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for group in text.as_bytes().chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= group.len() {
                DIGITS[(n >> (18 - 6 * i)) as usize & 63] as char
            } else {
                '='
            });
        }
    }
    out
}

/// `plain`'s server behind TLS, on a port of its own: a certificate for
/// 127.0.0.1 made with the `openssl` command, written to `dir/cert.pem`
/// (for `SSL_CERT_FILE`), each connection's TLS ended here and its bytes
/// passed on to `plain`. `None` when `openssl` cannot make one.
pub fn tls_in_front(plain: &GitHttp, dir: &Path) -> Option<u16> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        // A server's own certificate, not a CA's (rustls refuses those).
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return None;
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(&key).unwrap();
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let target = plain.port;
    Some(on_loopback(move |listener| async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut back) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut back).await;
            });
        }
    }))
}
