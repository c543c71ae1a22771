//! `/dashboard`: the page commercial teams and auditors open beside their e-procurement platform.
//!
//! A static single page (plain HTML, CSS and ES modules, no build step) embedded in the binary, so
//! it works offline and ships with the API it calls. Everything it shows comes from the `/v1`
//! endpoints with the bearer token the person pastes or the embedding platform hands over in the
//! URL fragment; the page itself needs no authorisation and holds no data.

use std::sync::LazyLock;

use actix_web::http::header::{self, ETag, EntityTag, IfNoneMatch};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

/// What the page may do: load its own files and call this API, nothing else. No inline script or
/// style is allowed, so an injected value can never run. Framing is allowed on purpose: platforms
/// embed the page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'none'";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! assets {
    ($(($name:literal, $content_type:expr)),* $(,)?) => {
        [$(Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("assets/", $name)),
        }),*]
    };
}

const JS: &str = "text/javascript; charset=utf-8";

static ASSETS: [Asset; 16] = assets![
    ("index.html", "text/html; charset=utf-8"),
    ("style.css", "text/css; charset=utf-8"),
    ("favicon.svg", "image/svg+xml"),
    ("app.js", JS),
    ("api.js", JS),
    ("dom.js", JS),
    ("format.js", JS),
    ("charts.js", JS),
    ("badges.js", JS),
    ("catalogue.js", JS),
    ("tenders.js", JS),
    ("lot.js", JS),
    ("award.js", JS),
    ("bid.js", JS),
    ("report.js", JS),
    ("audit.js", JS),
];

/// Each asset's strong `ETag`: the browser revalidates (`Cache-Control: no-cache`) and gets a 304
/// until a new binary ships a changed file.
static ETAGS: LazyLock<Vec<EntityTag>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| EntityTag::new_strong(hex::encode(Sha256::digest(asset.body))))
        .collect()
});

/// `/dashboard` → `/dashboard/`, so the page's relative module paths resolve under it.
pub async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/dashboard/"))
        .finish()
}

/// `/dashboard/` and `/dashboard/{file}`.
pub async fn asset(request: HttpRequest, tail: web::Path<String>) -> HttpResponse {
    let name = match tail.as_str() {
        "" => "index.html",
        other => other,
    };
    let Some((asset, etag)) = ASSETS
        .iter()
        .zip(ETAGS.iter())
        .find(|(asset, _)| asset.name == name)
    else {
        return crate::api::problem::ProblemKind::NOT_FOUND
            .response(format!("the dashboard has no file {name:?}"), Vec::new());
    };
    let fresh = match request.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(etag)),
        Some(IfNoneMatch::Any) => true,
        None => false,
    };
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(ETag(etag.clone()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // The token travels in the fragment, never in a URL a referrer could leak, but no page
        // the dashboard links to needs to know where the reader came from either.
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if fresh {
        return response.finish();
    }
    response.content_type(asset.content_type).body(asset.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_the_page_imports_is_served() {
        let served: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
        for asset in ASSETS.iter().filter(|a| a.content_type == JS) {
            let text = std::str::from_utf8(asset.body).unwrap_or_default();
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let module = line
                    .split(['\'', '"'])
                    .nth(1)
                    .and_then(|path| path.strip_prefix("./"));
                assert!(
                    module.is_some_and(|m| served.contains(&m)),
                    "{}: {line} imports a file the dashboard does not serve",
                    asset.name
                );
            }
        }
    }

    #[test]
    fn the_page_has_no_inline_script_or_style() {
        let index = ASSETS
            .iter()
            .find(|a| a.name == "index.html")
            .map(|a| String::from_utf8_lossy(a.body).to_string())
            .unwrap_or_default();
        assert!(index.contains("<script type=\"module\" src=\"app.js\"></script>"));
        assert_eq!(index.matches("<script").count(), 1, "one external module");
        assert!(!index.contains("style="), "no inline style attribute");
        assert!(!index.contains("<style"), "no inline style element");
        let handlers = index
            .split_whitespace()
            .filter(|word| word.starts_with("on") && word.contains('='));
        assert_eq!(handlers.count(), 0, "no inline event handler");
    }
}
