//! STOMP 1.2 frames: `COMMAND\nheader:value\n…\n\nbody\0`, parsed from a byte buffer separately
//! from reading the socket (as mini-redis separates `Frame::parse` from `read_frame`).

/// One frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// `CONNECT`, `SEND`, `RECEIPT`, `ERROR`, …
    pub command: String,
    /// Headers in order (the first of a repeated name wins, as the spec says).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why bytes are not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The frame is malformed.
    #[error("malformed STOMP frame: {0}")]
    Malformed(&'static str),
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            ':' => out.push_str("\\c"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(value: &str) -> Result<String, FrameError> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('c') => out.push(':'),
            _ => return Err(FrameError::Malformed("undefined escape sequence")),
        }
    }
    Ok(out)
}

impl Frame {
    /// A frame with no body.
    pub fn new(command: &str) -> Self {
        Self { command: command.to_owned(), headers: vec![], body: vec![] }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body (and its `content-length`, so it may contain NUL bytes).
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// The first value of header `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Encodes the frame. Header values are escaped except in CONNECT / CONNECTED, as the spec
    /// requires.
    pub fn encode(&self) -> Vec<u8> {
        let raw = matches!(self.command.as_str(), "CONNECT" | "CONNECTED");
        let mut out = Vec::with_capacity(64 + self.body.len());
        out.extend_from_slice(self.command.as_bytes());
        out.push(b'\n');
        for (k, v) in &self.headers {
            let (k, v) = if raw { (k.clone(), v.clone()) } else { (escape(k), escape(v)) };
            out.extend_from_slice(format!("{k}:{v}\n").as_bytes());
        }
        if !self.body.is_empty() || self.command == "SEND" {
            out.extend_from_slice(format!("content-length:{}\n", self.body.len()).as_bytes());
        }
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out.push(0);
        out
    }

    /// Parses one frame from the start of `buf`, skipping heart-beat end-of-lines. Returns the
    /// frame and the bytes it used, `Ok(None)` when more bytes are needed, or an error.
    pub fn parse(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
        let mut start = 0;
        while start < buf.len() && (buf[start] == b'\n' || buf[start] == b'\r') {
            start += 1;
        }
        let rest = &buf[start..];
        let Some(header_end) = find(rest, b"\n\n").map(|i| (i, 2)).or_else(|| find(rest, b"\r\n\r\n").map(|i| (i, 4)))
        else {
            return Ok(None);
        };
        let head =
            std::str::from_utf8(&rest[..header_end.0]).map_err(|_| FrameError::Malformed("headers are not UTF-8"))?;
        let mut lines = head.lines();
        let command = lines.next().ok_or(FrameError::Malformed("no command"))?.trim_end_matches('\r').to_owned();
        let raw = command == "CONNECTED";
        let mut headers = Vec::new();
        for line in lines {
            let line = line.trim_end_matches('\r');
            let (k, v) = line.split_once(':').ok_or(FrameError::Malformed("header without ':'"))?;
            if raw {
                headers.push((k.to_owned(), v.to_owned()));
            } else {
                headers.push((unescape(k)?, unescape(v)?));
            }
        }
        let body_start = header_end.0 + header_end.1;
        let length = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map(|(_, v)| v.parse::<usize>().map_err(|_| FrameError::Malformed("bad content-length")))
            .transpose()?;
        let (body, end) = match length {
            Some(n) => {
                if rest.len() < body_start + n + 1 {
                    return Ok(None);
                }
                if rest[body_start + n] != 0 {
                    return Err(FrameError::Malformed("body not followed by NUL"));
                }
                (rest[body_start..body_start + n].to_vec(), body_start + n + 1)
            }
            None => match rest[body_start..].iter().position(|b| *b == 0) {
                Some(i) => (rest[body_start..body_start + i].to_vec(), body_start + i + 1),
                None => return Ok(None),
            },
        };
        Ok(Some((Frame { command, headers, body }, start + end)))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_escapes_and_binary_body() {
        let f =
            Frame::new("SEND").header("destination", "/queue/a:b").header("x", "line\nbreak\\").body(b"a\0b".to_vec());
        let bytes = f.encode();
        let (parsed, used) = Frame::parse(&bytes).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(parsed.get("destination"), Some("/queue/a:b"));
        assert_eq!(parsed.get("x"), Some("line\nbreak\\"));
        assert_eq!(parsed.body, b"a\0b");
    }

    #[test]
    fn heartbeats_partial_frames_and_frames_without_length() {
        assert_eq!(Frame::parse(b"\n\n").unwrap(), None);
        assert_eq!(Frame::parse(b"RECEIPT\nreceipt-id:7\n").unwrap(), None);
        let buf = b"\n\r\nRECEIPT\r\nreceipt-id:7\r\n\r\n\0MESSAGE";
        let (f, used) = Frame::parse(buf).unwrap().unwrap();
        assert_eq!(f.command, "RECEIPT");
        assert_eq!(f.get("receipt-id"), Some("7"));
        assert_eq!(&buf[used..], b"MESSAGE");
        let connected = b"CONNECTED\nversion:1.2\nheart-beat:0,10000\n\n\0";
        assert_eq!(Frame::parse(connected).unwrap().unwrap().0.get("heart-beat"), Some("0,10000"));
    }

    #[test]
    fn malformed_frames_are_errors() {
        assert!(Frame::parse(b"ERROR\nno-colon\n\n\0").is_err());
        assert!(Frame::parse(b"ERROR\nbad:\\x\n\n\0").is_err());
        assert!(Frame::parse(b"MESSAGE\ncontent-length:1\n\nab\0").is_err());
        assert!(Frame::parse(b"MESSAGE\ncontent-length:z\n\n\0").is_err());
    }

    #[test]
    fn connect_headers_are_not_escaped() {
        let bytes = Frame::new("CONNECT").header("passcode", "a:b").encode();
        assert!(String::from_utf8_lossy(&bytes).contains("passcode:a:b\n"));
    }
}
