//! A small RFC 4180 reader that borrows from the input.
//!
//! Records end at LF or CRLF; fields are separated by commas; a field that
//! starts with a double quote runs to the matching quote, may contain commas
//! and line breaks, and writes a literal quote as `""`. Unquoted fields are
//! trimmed of surrounding spaces and tabs (ids and values never carry
//! meaningful edge blanks, while spreadsheets often add them); quoted fields
//! are kept exactly. Blank lines between records are skipped and a leading
//! UTF-8 byte-order mark is ignored. Fields borrow from the input unless they
//! contain an escaped quote, so reading a large file allocates almost nothing.

use std::borrow::Cow;
use std::fmt;

/// What went wrong while splitting the text into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvErrorKind {
    /// A quoted field was still open at the end of the input.
    UnterminatedQuote,
    /// Something other than a comma or line end followed a closing quote.
    TextAfterClosingQuote,
    /// A double quote appeared inside an unquoted field.
    QuoteInUnquotedField,
}

/// A malformed-CSV error with the 1-based line where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub kind: CsvErrorKind,
}

impl CsvErrorKind {
    /// What went wrong, without the line.
    pub fn description(&self) -> &'static str {
        match self {
            CsvErrorKind::UnterminatedQuote => "a quoted field is never closed (missing closing \")",
            CsvErrorKind::TextAfterClosingQuote => {
                "bad quoting: text after a closing quote (write a literal quote as \"\" inside a quoted field)"
            }
            CsvErrorKind::QuoteInUnquotedField => {
                "bad quoting: a double quote inside an unquoted field (quote the whole field and double the quote)"
            }
        }
    }
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind.description())
    }
}

impl std::error::Error for CsvError {}

/// Bytes with the high bit set where a byte of `word` equals `b`. Only the
/// lowest flagged byte is exact (borrows may flag bytes above it), which is
/// all the scanner uses.
#[inline]
fn bytes_equal(word: u64, b: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The first comma, quote, CR or LF at or after `from`, with its byte.
#[inline]
pub(crate) fn next_special(bytes: &[u8], from: usize) -> Option<(usize, u8)> {
    let is_special = |b: u8| matches!(b, b',' | b'"' | b'\r' | b'\n');
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let hits = bytes_equal(w, b',')
            | bytes_equal(w, b'"')
            | bytes_equal(w, b'\r')
            | bytes_equal(w, b'\n');
        if hits != 0 {
            let at = i + (hits.trailing_zeros() / 8) as usize;
            return Some((at, bytes[at]));
        }
        i += 8;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|&b| is_special(b))
        .map(|k| (i + k, bytes[i + k]))
}

/// Outcome of [`Reader::read_plain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    /// A record starting on this line was read into the output array.
    Record(usize),
    /// The input is exhausted.
    End,
    /// The next record has quotes or another field count: read it with
    /// [`Reader::read_record`] (nothing was consumed).
    NotPlain,
}

/// Streams records out of a borrowed string.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    /// The previous plain record's first field: raw, and trimmed.
    last_first: (&'a str, &'a str),
}

impl<'a> Reader<'a> {
    /// A reader of a whole file: a leading byte-order mark is skipped.
    pub fn new(text: &'a str) -> Self {
        Reader::continuing(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// A reader of a later part of a file, taken as it is; its lines are
    /// numbered from 1.
    pub fn continuing(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            line: 1,
            last_first: ("", ""),
        }
    }

    /// Fast path for the usual record: one line, no quotes, exactly `N`
    /// fields, written (trimmed) into `out` without any allocation. A first
    /// field equal to the previous record's is returned as the very same
    /// slice, so callers can recognize a repeated unit by its address.
    pub fn read_plain<const N: usize>(&mut self, out: &mut [&'a str; N]) -> Plain {
        let bytes = self.text.as_bytes();
        let (mut pos, mut line) = (self.pos, self.line);
        // Skip blank lines.
        loop {
            match bytes.get(pos) {
                None => {
                    (self.pos, self.line) = (pos, line);
                    return Plain::End;
                }
                Some(b'\n') => {
                    pos += 1;
                    line += 1;
                }
                Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => {
                    pos += 2;
                    line += 1;
                }
                Some(_) => break,
            }
        }
        // Long-format files repeat the first field (the unit) line after
        // line: when this line starts with the previous record's first field
        // and a comma, hand back that same slice without scanning it.
        let mut field = 0;
        let mut start = pos;
        let (raw, trimmed) = self.last_first;
        if N > 1
            && !raw.is_empty()
            && bytes.get(pos..pos + raw.len()) == Some(raw.as_bytes())
            && bytes.get(pos + raw.len()) == Some(&b',')
        {
            out[0] = trimmed;
            field = 1;
            start = pos + raw.len() + 1;
        }
        let mut first_raw_end = None;
        // Scan for the next delimiter eight bytes at a time.
        let mut i = start;
        let record_end = loop {
            let (at, byte) = match next_special(bytes, i) {
                Some(found) => found,
                None => break bytes.len(),
            };
            match byte {
                b',' => {
                    match out.get_mut(field) {
                        Some(slot) => *slot = self.field(start, at),
                        None => return Plain::NotPlain,
                    }
                    if field == 0 {
                        first_raw_end = Some(at);
                    }
                    field += 1;
                    start = at + 1;
                    i = at + 1;
                }
                b'\n' => break at,
                b'\r' if bytes.get(at + 1) == Some(&b'\n') => break at,
                _ => return Plain::NotPlain, // a quote or a lone CR
            }
        };
        match out.get_mut(field) {
            Some(slot) if field + 1 == N => *slot = self.field(start, record_end),
            _ => return Plain::NotPlain,
        }
        if let Some(end) = first_raw_end {
            self.last_first = (self.text.get(pos..end).unwrap_or_default(), out[0]);
        }
        self.pos = record_end;
        self.line = line;
        match bytes.get(record_end) {
            Some(b'\r') => {
                self.pos += 2;
                self.line += 1;
            }
            Some(_) => {
                self.pos += 1;
                self.line += 1;
            }
            None => {}
        }
        Plain::Record(line)
    }

    /// Reads the next record into `fields` (cleared first) and returns the
    /// line on which it starts, or `None` at the end of the input.
    pub fn read_record(
        &mut self,
        fields: &mut Vec<Cow<'a, str>>,
    ) -> Result<Option<usize>, CsvError> {
        fields.clear();
        let bytes = self.text.as_bytes();
        // Skip blank lines.
        loop {
            match bytes.get(self.pos) {
                None => return Ok(None),
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                }
                Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                Some(_) => break,
            }
        }
        let start_line = self.line;
        if self.read_simple_line(fields) {
            return Ok(Some(start_line));
        }
        loop {
            let at_end_of_record = if bytes.get(self.pos) == Some(&b'"') {
                self.read_quoted(fields, start_line)?
            } else {
                self.read_unquoted(fields)?
            };
            if at_end_of_record {
                return Ok(Some(start_line));
            }
        }
    }

    /// The common case: a record on one line without quotes, split in one
    /// pass. Returns false (consuming nothing) when the line has a quote.
    fn read_simple_line(&mut self, fields: &mut Vec<Cow<'a, str>>) -> bool {
        let bytes = self.text.as_bytes();
        let rest = bytes.get(self.pos..).unwrap_or_default();
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let mut end = len;
        if end > 0 && rest[end - 1] == b'\r' {
            end -= 1;
        }
        let line = &rest[..end];
        let mut start = 0;
        for (i, &b) in line.iter().enumerate() {
            match b {
                b',' => {
                    fields.push(Cow::Borrowed(self.field(self.pos + start, self.pos + i)));
                    start = i + 1;
                }
                b'"' | b'\r' => {
                    fields.clear();
                    return false;
                }
                _ => {}
            }
        }
        fields.push(Cow::Borrowed(self.field(self.pos + start, self.pos + end)));
        self.pos += len;
        if self.pos < bytes.len() {
            self.pos += 1;
            self.line += 1;
        }
        true
    }

    /// A trimmed unquoted field between two ASCII delimiters.
    #[inline]
    fn field(&self, start: usize, end: usize) -> &'a str {
        crate::matrix::trim_blank(self.text.get(start..end).unwrap_or_default())
    }

    /// Consumes the delimiter after a field; true when it ended the record.
    fn end_field(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        match bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                false
            }
            Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => {
                self.pos += 2;
                self.line += 1;
                true
            }
            Some(b'\n') | Some(b'\r') => {
                self.pos += 1;
                self.line += 1;
                true
            }
            _ => true,
        }
    }

    fn read_unquoted(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<bool, CsvError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            match b {
                b',' | b'\n' | b'\r' => break,
                b'"' => {
                    return Err(CsvError {
                        line: self.line,
                        kind: CsvErrorKind::QuoteInUnquotedField,
                    })
                }
                _ => i += 1,
            }
        }
        let field = self.text.get(start..i).unwrap_or_default();
        fields.push(Cow::Borrowed(crate::matrix::trim_blank(field)));
        self.pos = i;
        Ok(self.end_field())
    }

    fn read_quoted(
        &mut self,
        fields: &mut Vec<Cow<'a, str>>,
        start_line: usize,
    ) -> Result<bool, CsvError> {
        let bytes = self.text.as_bytes();
        let content_start = self.pos + 1;
        let mut i = content_start;
        let mut owned: Option<String> = None;
        let mut segment_start = content_start;
        loop {
            match bytes.get(i) {
                None => {
                    return Err(CsvError {
                        line: start_line,
                        kind: CsvErrorKind::UnterminatedQuote,
                    })
                }
                Some(b'"') => {
                    if bytes.get(i + 1) == Some(&b'"') {
                        // An escaped quote: keep text up to and including one quote.
                        let piece = self.text.get(segment_start..=i).unwrap_or_default();
                        owned.get_or_insert_with(String::new).push_str(piece);
                        i += 2;
                        segment_start = i;
                        continue;
                    }
                    let last = self.text.get(segment_start..i).unwrap_or_default();
                    let field = match owned {
                        Some(mut s) => {
                            s.push_str(last);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(last),
                    };
                    fields.push(field);
                    self.pos = i + 1;
                    return match bytes.get(self.pos) {
                        None | Some(b',') | Some(b'\n') | Some(b'\r') => Ok(self.end_field()),
                        Some(_) => Err(CsvError {
                            line: self.line,
                            kind: CsvErrorKind::TextAfterClosingQuote,
                        }),
                    };
                }
                Some(b'\n') => {
                    self.line += 1;
                    i += 1;
                }
                Some(_) => i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
        let mut reader = Reader::new(text);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = reader.read_record(&mut fields)? {
            out.push((line, fields.iter().map(|f| f.to_string()).collect()));
        }
        Ok(out)
    }

    #[test]
    fn plain_records_with_lf_crlf_and_no_final_newline() {
        let got = records("a,b,c\r\n1,2,3\n4,5,").unwrap();
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (2, vec!["1".into(), "2".into(), "3".into()]),
                (3, vec!["4".into(), "5".into(), "".into()]),
            ]
        );
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines() {
        let got = records("\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,\"\",z\n").unwrap();
        assert_eq!(got[0].1, vec!["x, y", "say \"hi\"", "two\nlines"]);
        assert_eq!(got[1], (3, vec!["next".into(), "".into(), "z".into()]));
    }

    #[test]
    fn blank_lines_bom_and_trimming() {
        let got = records("\u{feff}unit , rater,\" value \"\n\n\r\nu1,A,1\n").unwrap();
        assert_eq!(got[0].1, vec!["unit", "rater", " value "]);
        assert_eq!(got[1].0, 4);
    }

    #[test]
    fn plain_fast_path_defers_anything_unusual() {
        let text = "a,b,c\n\n1, 2 ,3\r\nx,\"y\",z\n1,2\n";
        let mut reader = Reader::new(text);
        let mut out = [""; 3];
        assert_eq!(reader.read_plain(&mut out), Plain::Record(1));
        assert_eq!(out, ["a", "b", "c"]);
        assert_eq!(reader.read_plain(&mut out), Plain::Record(3));
        assert_eq!(out, ["1", "2", "3"]);
        assert_eq!(reader.read_plain(&mut out), Plain::NotPlain);
        let mut fields = Vec::new();
        assert_eq!(reader.read_record(&mut fields), Ok(Some(4)));
        assert_eq!(fields, ["x", "y", "z"]);
        assert_eq!(reader.read_plain(&mut out), Plain::NotPlain);
        assert_eq!(reader.read_record(&mut fields), Ok(Some(5)));
        assert_eq!(fields.len(), 2);
        assert_eq!(reader.read_plain(&mut out), Plain::End);
    }

    #[test]
    fn a_repeated_first_field_is_the_same_slice() {
        let text = "u1,A,1\nu1,B,2\nu10,A,3\nu1, C ,4\n";
        let mut reader = Reader::new(text);
        let mut out = [""; 3];
        let mut firsts = Vec::new();
        while let Plain::Record(_) = reader.read_plain(&mut out) {
            firsts.push(out[0]);
            assert!(out.iter().all(|f| !f.contains(',')));
        }
        assert_eq!(firsts, ["u1", "u1", "u10", "u1"]);
        assert!(std::ptr::eq(firsts[0], firsts[1]));
        assert!(!std::ptr::eq(firsts[1], firsts[3]));
        assert_eq!(out, ["u1", "C", "4"]);
    }

    #[test]
    fn quoting_errors_name_the_line() {
        let e = records("a,b,c\n1,\"2\"x,3\n").unwrap_err();
        assert_eq!((e.line, e.kind), (2, CsvErrorKind::TextAfterClosingQuote));
        let e = records("a,b,c\n1,2,3\n4,5\"6,7\n").unwrap_err();
        assert_eq!((e.line, e.kind), (3, CsvErrorKind::QuoteInUnquotedField));
        let e = records("a,b,c\n1,\"open\n2,3\n").unwrap_err();
        assert_eq!((e.line, e.kind), (2, CsvErrorKind::UnterminatedQuote));
        assert!(e.to_string().starts_with("line 2: "));
    }
}
