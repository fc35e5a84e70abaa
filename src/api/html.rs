//! HTML for browsers: the landing page and the API documentation page. Bokmål by default,
//! English with `?lang=en`.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::OpenApi;

use crate::catalog::Collection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nb,
    En,
}

impl Lang {
    pub fn from_param(p: Option<&str>) -> Lang {
        match p {
            Some("en") => Lang::En,
            _ => Lang::Nb,
        }
    }

    fn t(self, nb: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Nb => nb,
            Lang::En => en,
        }
    }

    fn code(self) -> &'static str {
        self.t("nb", "en")
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}\
         code{{background:#f3f3f3;padding:0 .2em}}table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}}</style>\
         </head><body>{}</body></html>\n",
        lang.code(),
        escape(title),
        body
    )
}

/// The landing page for a browser: what the service is and where its parts are.
pub fn landing(region: &str, collections: &[Collection], lang: Lang) -> String {
    let mut rows = String::new();
    for c in collections {
        rows.push_str(&format!(
            "<tr><td><a href=\"/collections/{id}/items?f=json\">{id}</a></td><td>{title}</td><td>{n}</td></tr>",
            id = escape(&c.id),
            title = escape(&c.title),
            n = c.len()
        ));
    }
    let body = format!(
        "<h1>energistasjon</h1><p>{intro} <strong>{region}</strong>.</p>\
         <ul><li><a href=\"/api.html?lang={code}\">{doc}</a> (<a href=\"/api\">OpenAPI</a>)</li>\
         <li><a href=\"/conformance?f=json\">{conf}</a></li>\
         <li><a href=\"/collections?f=json\">{colls}</a></li></ul>\
         <table><thead><tr><th>{id}</th><th>{title}</th><th>{count}</th></tr></thead><tbody>{rows}</tbody></table>",
        intro = lang.t(
            "Energistasjoner for tungtransport: kandidatområder, scoring og datagrunnlag for",
            "Energy stations for heavy transport: candidate sites, scoring and input data for"
        ),
        region = escape(region),
        code = lang.code(),
        doc = lang.t("API-dokumentasjon", "API documentation"),
        conf = lang.t("Samsvar (OGC API Features)", "Conformance (OGC API Features)"),
        colls = lang.t("Samlinger", "Collections"),
        id = lang.t("Samling", "Collection"),
        title = lang.t("Tittel", "Title"),
        count = lang.t("Objekter", "Features"),
    );
    page(lang, "energistasjon", &body)
}

fn operation(method: &str, path: &str, op: &Operation, lang: Lang) -> String {
    let mut params = String::new();
    for p in op.parameters.iter().flatten() {
        let place = match p.parameter_in {
            ParameterIn::Path => "path",
            ParameterIn::Query => "query",
            ParameterIn::Header => "header",
            ParameterIn::Cookie => "cookie",
        };
        params.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{place}</td><td>{}</td></tr>",
            escape(&p.name),
            escape(p.description.as_deref().unwrap_or(""))
        ));
    }
    let params = if params.is_empty() {
        String::new()
    } else {
        format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{params}</tbody></table>",
            lang.t("Parameter", "Parameter"),
            lang.t("Plassering", "In"),
            lang.t("Beskrivelse", "Description"),
        )
    };
    let mut statuses: Vec<&String> = op.responses.responses.keys().collect();
    statuses.sort();
    format!(
        "<h3><code>{method} {}</code></h3><p>{}</p><p>{}</p>{params}<p>{}: {}</p>",
        escape(path),
        escape(op.summary.as_deref().unwrap_or("")),
        escape(op.description.as_deref().unwrap_or("")),
        lang.t("Svar", "Responses"),
        statuses
            .iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Every operation of the OpenAPI document, grouped by path.
pub fn service_doc(doc: &OpenApi, lang: Lang) -> String {
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><p>{} <a href=\"/api\">/api</a>. {}</p>",
        escape(&doc.info.title),
        escape(doc.info.description.as_deref().unwrap_or("")),
        lang.t("Maskinlesbar beskrivelse (OpenAPI 3.1):", "Machine-readable description (OpenAPI 3.1):"),
        lang.t(
            "Feil kommer som application/problem+json med status, tittel, forklaring og parameteren som var feil.",
            "Errors come as application/problem+json with a status, a title, a detail and the parameter at fault."
        ),
    );
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if let Some(op) = op {
                body.push_str(&operation(method, path, op, lang));
            }
        }
    }
    page(lang, &format!("{} API", doc.info.title), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">Ås & Bærum</a>"),
            "&lt;a href=&quot;x&quot;&gt;Ås &amp; Bærum&lt;/a&gt;"
        );
    }
}
