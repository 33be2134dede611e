//! A STOMP 1.2 connection: CONNECT with login and passcode, heart-beats both ways, SEND with a
//! `receipt` header, and a reader task that matches RECEIPT / ERROR frames to waiting senders.

use super::StompTarget;
use super::frame::Frame;
use crate::Message;
use crate::guard::TargetPolicy;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Mutex, oneshot};

trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

type Waiters = Arc<std::sync::Mutex<HashMap<String, oneshot::Sender<Result<(), String>>>>>;

/// Heart-beat interval cartwire offers and asks for.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// An open connection to one broker.
pub struct Connection {
    writer: Arc<Mutex<tokio::io::WriteHalf<Box<dyn Stream>>>>,
    waiters: Waiters,
    open: Arc<AtomicBool>,
    next_receipt: AtomicU64,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.open.store(false, Ordering::SeqCst);
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn tcp(address: &str, policy: TargetPolicy, timeout: Duration) -> Result<(Box<dyn Stream>, String), String> {
    let (tls, host, port) =
        cartwire_domain::integration::stomp_address(address).ok_or_else(|| format!("bad address {address}"))?;
    let addrs = policy.resolve(&host, port).await.map_err(|e| e.to_string())?;
    let stream = tokio::time::timeout(timeout, tokio::net::TcpStream::connect(&addrs[..]))
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).ok();
    if !tls {
        return Ok((Box::new(stream), host));
    }
    let config = rustls_platform_verifier::BuilderVerifierExt::with_platform_verifier(
        tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?
    .with_no_client_auth();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
    let tls = tokio::time::timeout(timeout, tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, stream))
        .await
        .map_err(|_| "TLS handshake timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    Ok((Box::new(tls), host))
}

async fn read_frame(reader: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> Result<Frame, String> {
    loop {
        if let Some((frame, used)) = Frame::parse(buf).map_err(|e| e.to_string())? {
            buf.drain(..used);
            return Ok(frame);
        }
        let mut chunk = [0u8; 8192];
        let n = reader.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed by the broker".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 16 * 1024 * 1024 {
            return Err("frame too large".into());
        }
    }
}

impl Connection {
    /// Connects to `address` and logs in.
    pub async fn open(
        address: &str,
        target: &StompTarget,
        policy: TargetPolicy,
        timeout: Duration,
    ) -> Result<Self, String> {
        let (stream, _host) = tcp(address, policy, timeout).await?;
        let (mut reader, mut writer) = tokio::io::split(stream);
        let mut connect = Frame::new("CONNECT")
            .header("accept-version", "1.2")
            .header("host", "/")
            .header("heart-beat", &format!("{0},{0}", HEARTBEAT.as_millis()));
        if let Some(u) = &target.username {
            connect = connect.header("login", u);
        }
        if let Some(p) = &target.password {
            connect = connect.header("passcode", p.expose());
        }
        writer.write_all(&connect.encode()).await.map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        let reply = tokio::time::timeout(timeout, read_frame(&mut reader, &mut buf))
            .await
            .map_err(|_| "no CONNECTED in time".to_owned())??;
        match reply.command.as_str() {
            "CONNECTED" => {}
            "ERROR" => {
                return Err(format!("refused: {}", reply.get("message").unwrap_or("no message")));
            }
            other => return Err(format!("unexpected {other} frame")),
        }
        // The broker's heart-beat header: "sx,sy" — it sends every sy ms, wants ours every sx.
        let (server_wants, server_sends) = reply
            .get("heart-beat")
            .and_then(|h| h.split_once(','))
            .map(|(a, b)| (a.trim().parse::<u64>().unwrap_or(0), b.trim().parse::<u64>().unwrap_or(0)))
            .unwrap_or((0, 0));
        let writer: Arc<Mutex<tokio::io::WriteHalf<Box<dyn Stream>>>> = Arc::new(Mutex::new(writer));
        let waiters: Waiters = Arc::default();
        let open = Arc::new(AtomicBool::new(true));
        let mut tasks = Vec::new();
        // Reader: receipts and errors; a silent broker (no bytes for 2× its interval) is dead.
        {
            let waiters = waiters.clone();
            let open = open.clone();
            let silence = if server_sends > 0 {
                Some(Duration::from_millis(server_sends.max(HEARTBEAT.as_millis() as u64) * 2))
            } else {
                None
            };
            tasks.push(tokio::spawn(async move {
                loop {
                    let next = read_frame(&mut reader, &mut buf);
                    let frame = match silence {
                        Some(d) => match tokio::time::timeout(d, next).await {
                            Ok(f) => f,
                            Err(_) => Err("broker heart-beat missed".into()),
                        },
                        None => next.await,
                    };
                    match frame {
                        Ok(f) if f.command == "RECEIPT" => {
                            if let Some(id) = f.get("receipt-id")
                                && let Some(tx) = waiters.lock().expect("waiters lock").remove(id)
                            {
                                let _ = tx.send(Ok(()));
                            }
                        }
                        Ok(f) if f.command == "ERROR" => {
                            let message = f.get("message").unwrap_or("ERROR").to_owned();
                            let mut w = waiters.lock().expect("waiters lock");
                            match f.get("receipt-id").and_then(|id| w.remove(id)) {
                                Some(tx) => {
                                    let _ = tx.send(Err(message));
                                }
                                None => {
                                    for (_, tx) in w.drain() {
                                        let _ = tx.send(Err(message.clone()));
                                    }
                                }
                            }
                            // The spec says the broker closes the connection after an ERROR.
                            break;
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                open.store(false, Ordering::SeqCst);
                // Dropping the senders tells every waiter the connection is gone.
                waiters.lock().expect("waiters lock").clear();
            }));
        }
        if server_wants > 0 {
            let writer = writer.clone();
            let open = open.clone();
            let every = Duration::from_millis(server_wants.max(HEARTBEAT.as_millis() as u64));
            tasks.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(every / 2);
                loop {
                    tick.tick().await;
                    if writer.lock().await.write_all(b"\n").await.is_err() {
                        open.store(false, Ordering::SeqCst);
                        break;
                    }
                }
            }));
        }
        Ok(Self { writer, waiters, open, next_receipt: AtomicU64::new(1), tasks })
    }

    /// True while the connection is usable.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    /// Writes a SEND and returns what its RECEIPT (or ERROR) will resolve.
    pub async fn send(&self, destination: &str, m: &Message) -> Result<oneshot::Receiver<Result<(), String>>, String> {
        if !self.is_open() {
            return Err("connection closed".into());
        }
        let receipt = format!("r{}", self.next_receipt.fetch_add(1, Ordering::SeqCst));
        let (tx, rx) = oneshot::channel();
        self.waiters.lock().expect("waiters lock").insert(receipt.clone(), tx);
        let mut frame = Frame::new("SEND");
        for (name, value) in super::send_headers(destination, m) {
            frame = frame.header(name, &value);
        }
        let frame = frame.header("receipt", &receipt).body(m.body.clone());
        let write = self.writer.lock().await.write_all(&frame.encode()).await;
        if let Err(e) = write {
            self.open.store(false, Ordering::SeqCst);
            self.waiters.lock().expect("waiters lock").remove(&receipt);
            return Err(e.to_string());
        }
        Ok(rx)
    }
}
