//! Where in a TOML file something is wrong: the file, the line of a span and the key. Shared
//! by the parsers of profiles, scenarios and checklists, so every one of them names the same
//! three things the same way.

use std::ops::Range;

/// A problem at a line and key of a file; each parser wraps it in its own error type.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// The text of one file being parsed.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// The 1-based line a byte span starts on.
    pub fn line(&self, span: Range<usize>) -> usize {
        self.text[..span.start.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    pub fn at(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Located {
        Located {
            file: self.file.to_string(),
            line: self.line(span),
            key: key.into(),
            message: message.into(),
        }
    }

    /// A TOML syntax or shape error, with the key written at its span.
    pub fn syntax(&self, e: &toml::de::Error) -> Located {
        let span = e.span().unwrap_or(0..0);
        let key = self
            .text
            .get(span.clone())
            .unwrap_or("")
            .split(['=', '\n'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        self.at(span, key, e.message().trim().to_string())
    }
}

/// `From<Located>` for a parser's error type with the fields `file`, `line`, `key`, `message`.
#[macro_export]
macro_rules! from_located {
    ($t:ty) => {
        impl From<$crate::domain::toml_file::Located> for $t {
            fn from(l: $crate::domain::toml_file::Located) -> Self {
                Self {
                    file: l.file,
                    line: l.line,
                    key: l.key,
                    message: l.message,
                }
            }
        }
    };
}

/// toml's message plus the offending line, so the planner sees line and key at once.
pub fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let line_text = text.lines().nth(line - 1).unwrap_or("").trim();
            format!("line {line}: {message} (at `{line_text}`)")
        }
        None => message,
    }
}
