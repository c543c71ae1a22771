//! The dashboard in headless Chromium, driven over WebDriver (chromedriver), against a real server
//! seeded through the API: sign-in (refused, pasted, and handed over in the URL fragment), a lot's
//! ranking checked against the API's, keyboard navigation to a bid, the audit and report views,
//! and a phone-sized screen. Screenshots go to `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test says so loudly and
//! passes, unless `SOCVAL_TEST_REQUIRE_BROWSER` is set (as `.ci/run` does), when it fails.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use socval::auth::Role;

use super::seed::{Seeded, seed};
use crate::common::helpers::expect;
use crate::common::{Backend, TestApp, spawn_app, spawn_app_with};

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// The browser tools, or `None` after saying loudly that the test did not run (a failure when
/// `SOCVAL_TEST_REQUIRE_BROWSER` is set).
fn tools_or_skip() -> Option<Tools> {
    let found = tools();
    if found.is_none() {
        let banner = "!".repeat(78);
        eprintln!(
            "{banner}\n!! Chromium or chromedriver is missing: the dashboard browser test did not run.\n!! Install them with `apt-get install chromium chromium-driver` (.ci/run does).\n{banner}"
        );
        assert!(
            std::env::var_os("SOCVAL_TEST_REQUIRE_BROWSER").is_none(),
            "SOCVAL_TEST_REQUIRE_BROWSER is set but Chromium or chromedriver is missing"
        );
    }
    found
}

fn tools() -> Option<Tools> {
    let pick = |variable: &str, default: &str| {
        let path = PathBuf::from(std::env::var(variable).unwrap_or_else(|_| default.into()));
        path.exists().then_some(path)
    };
    Some(Tools {
        chromium: pick("SOCVAL_TEST_CHROMIUM", "/usr/bin/chromium")?,
        chromedriver: pick("SOCVAL_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")?,
    })
}

/// chromedriver and one headless Chromium session; the driver (and its browser) die with it.
struct Browser {
    driver: Child,
    client: Client,
}

impl Browser {
    async fn launch(tools: &Tools) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        use std::os::unix::process::CommandExt;
        let mut driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            // Its own process group, which the browser joins: see `Drop`.
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": tools.chromium,
                // Headless, and quiet on a machine without internet: no background fetches.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--disable-quic", "--no-first-run",
                         "--window-size=1280,800", "--lang=en-GB"],
                "prefs": {"intl.accept_languages": "en-GB"},
            }),
        );
        let address = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if let Ok(client) =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&address)
                    .await
            {
                return Browser { driver, client };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = driver.kill();
        let _ = driver.wait();
        panic!("chromedriver did not accept a session on {address}");
    }

    /// Polls `script` until it returns something other than null/false (the page renders
    /// asynchronously after each API call).
    async fn until(&self, what: &str, script: &str) -> Value {
        let mut last = Value::Null;
        for _ in 0..150 {
            last = self.client.execute(script, Vec::new()).await.unwrap();
            if !(last.is_null() || last == Value::Bool(false)) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = self.text(".status").await;
        panic!("timed out waiting for {what} (last: {last}; status: {status:?})");
    }

    async fn click(&self, selector: &str) {
        let element = self.client.find(Locator::Css(selector)).await.unwrap();
        element.click().await.unwrap();
    }

    async fn text(&self, selector: &str) -> String {
        self.client
            .execute(
                "return document.querySelector(arguments[0])?.textContent ?? null",
                vec![json!(selector)],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn heading_is(&self, heading: &str) {
        self.until(
            &format!("the heading {heading:?}"),
            &format!(
                "return document.querySelector('.view h1')?.textContent === {} && document.querySelector('.view').getAttribute('aria-busy') === 'false'",
                json!(heading)
            ),
        )
        .await;
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let directory = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
            .join("screenshots");
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(directory.join(name), png).unwrap();
    }

    /// Sizes the window so that the page itself (the viewport) is `width` × `height`.
    async fn viewport(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight]", Vec::new())
            .await
            .unwrap();
        let (inner_width, inner_height) = (
            inner[0].as_u64().unwrap() as u32,
            inner[1].as_u64().unwrap() as u32,
        );
        self.client
            .set_window_size(2 * width - inner_width, 2 * height - inner_height)
            .await
            .unwrap();
    }

    /// A screenshot of the whole page, not just the viewport, at `width`.
    async fn full_page_screenshot(&self, width: u32, name: &str) {
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", Vec::new())
            .await
            .unwrap()
            .as_u64()
            .unwrap();
        self.viewport(width, height.min(6000) as u32).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.screenshot(name).await;
    }

    /// What axe-core finds against WCAG 2.1 A and AA (contrast included) on the page as it is.
    async fn accessibility_violations(&self) -> Vec<String> {
        const AXE: &str = include_str!("../../fixtures/axe/axe.min.js");
        let loaded = self
            .client
            .execute("return typeof axe", Vec::new())
            .await
            .unwrap();
        if loaded != json!("object") {
            self.client
                .execute(&format!("{AXE}\nwindow.axe = axe;"), Vec::new())
                .await
                .unwrap();
        }
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                   .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)))
                   .catch(e => done([`axe failed: ${e}`]));",
                Vec::new(),
            )
            .await
            .unwrap();
        serde_json::from_value(violations).unwrap()
    }

    async fn assert_accessible(&self, view: &str) {
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "{view} breaks WCAG 2.1 AA:\n{}",
            violations.join("\n")
        );
    }

    async fn sign_in(&self, token: &str) {
        let field = self
            .client
            .wait()
            .for_element(Locator::Css("#token"))
            .await
            .unwrap();
        field.clear().await.unwrap();
        field.send_keys(token).await.unwrap();
        self.click(".sign-in-form button").await;
    }
}

impl Drop for Browser {
    /// Kills the driver's whole process group, so a test that fails before closing its session
    /// leaves no orphaned Chromium behind (killing chromedriver alone would).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// What the API says the lot's latest run ranked: (bid, rank, total) in result order.
async fn ranking_from_api(app: &TestApp, seeded: &Seeded) -> Vec<(String, String, String)> {
    let runs = expect(
        app.send(
            "GET",
            &format!(
                "/v1/tenders/{}/lots/{}/evaluations",
                seeded.tender, seeded.lot
            ),
            &app.token(&[Role::Auditor]),
            None,
        )
        .await,
        200,
    )
    .await;
    let text = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    runs.as_array().unwrap().last().unwrap()["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                text(&r["bid_id"]),
                text(&r["rank"]),
                text(&r["total_display"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_commercial_user_signs_in_and_sees_the_ranking_the_api_computed() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let seeded = seed(&app).await;
    let expected = ranking_from_api(&app, &seeded).await;
    let browser = Browser::launch(&tools).await;
    browser.viewport(1280, 800).await;
    let c = &browser.client;

    // A refused token gets a clear message and leaves the sign-in form up.
    c.goto(&app.url("/dashboard")).await.unwrap();
    browser.sign_in("not-a-token").await;
    let refusal = browser
        .until(
            "the refusal",
            "return document.querySelector('.status .notice-error')?.textContent ?? null",
        )
        .await;
    assert!(
        refusal.as_str().unwrap().contains("not accepted"),
        "{refusal}"
    );
    browser.screenshot("sign-in-refused-1280x800.png").await;
    browser.assert_accessible("the sign-in page").await;
    // The checker is live: faint text on white is caught.
    c.execute("const p = document.createElement('p'); p.id = 'faint'; p.textContent = 'faint'; p.style.color = '#ccc'; document.querySelector('main').append(p)", Vec::new()).await.unwrap();
    let caught = browser.accessibility_violations().await;
    assert!(
        caught.iter().any(|v| v.starts_with("color-contrast")),
        "{caught:?}"
    );
    c.execute("document.getElementById('faint').remove()", Vec::new())
        .await
        .unwrap();

    let token = app.token(&[Role::Commercial, Role::Auditor]);
    browser.sign_in(&token).await;
    browser.heading_is("Tenders").await;
    let tenders = browser.text(".view").await;
    for expected_text in [
        "Facilities management services",
        "Catering for regional offices",
        "£2,400,000",
        "SV 15% · meets 10% minimum",
        "SV 5% · exempted",
        "No scheme yet",
        "SV 20%",
    ] {
        assert!(
            tenders.contains(expected_text),
            "the tenders view shows {expected_text:?}: {tenders}"
        );
    }
    browser.screenshot("tenders-1280x800.png").await;
    browser.assert_accessible("the tenders view").await;

    // An open lot lists what it has received; nothing is ranked before an evaluation.
    browser
        .click(&format!(
            "a[href='#/tenders/{}/lots/{}']",
            seeded.tender, seeded.open_lot
        ))
        .await;
    browser.heading_is("South").await;
    let open_lot = browser.text(".view").await;
    assert!(open_lot.contains("No evaluation yet"), "{open_lot}");
    assert!(
        open_lot.contains("Southern Cleaning Co-operative") && open_lot.contains("£745,000.50"),
        "{open_lot}"
    );
    browser.assert_accessible("an open lot").await;
    c.back().await.unwrap();
    browser.heading_is("Tenders").await;

    // The lot's ranking, row for row, is the API's.
    let lot_link = format!("a[href='#/tenders/{}/lots/{}']", seeded.tender, seeded.lot);
    browser.click(&lot_link).await;
    browser.heading_is("North").await;
    let shown = browser
        .until("the ranking", "const rows = [...document.querySelectorAll('tr[data-bid]')]; return rows.length ? rows.map(r => [r.dataset.bid, r.dataset.rank, r.dataset.total]) : null")
        .await;
    let shown: Vec<(String, String, String)> = serde_json::from_value(shown).unwrap();
    assert_eq!(shown, expected, "the page ranks the bids as the API does");
    let winner_row = browser.text("tr[data-rank='1']").await;
    assert!(winner_row.contains("Winner"), "{winner_row}");
    let lot_page = browser.text(".view").await;
    assert!(
        lot_page.contains("Quickfix <Services> & Co"),
        "a hostile name is shown as text"
    );
    assert!(
        lot_page.contains("below the pass mark"),
        "the knockout's reason is shown"
    );
    assert!(
        lot_page.contains("Abnormally low"),
        "the low price is flagged: {lot_page}"
    );
    let standstill = browser.text(".standstill").await;
    assert_eq!(
        standstill,
        "Standstill: Tuesday 1 to Thursday 10 December 2026; the contract may be entered into from Friday 11 December.",
        "the award notice of Tuesday 1 December, counted as the Act counts"
    );
    assert!(
        lot_page.contains("Contract award notice published")
            && lot_page.contains("FTS-2026-041-UK6"),
        "every step is listed: {lot_page}"
    );
    let alerts = c.find_all(Locator::Css("tr.row-alert")).await.unwrap();
    assert_eq!(alerts.len(), 1, "one moderation discrepancy is highlighted");
    let lines = c
        .find_all(Locator::Css(".chart.line polyline"))
        .await
        .unwrap();
    assert_eq!(
        lines.len(),
        seeded.bids.len() - 1,
        "a history line per bid ranked in any run"
    );
    let foreign: Value = c
        .execute("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))", Vec::new())
        .await
        .unwrap();
    assert_eq!(foreign, json!([]), "nothing is fetched from elsewhere");
    browser.screenshot("lot-1280x800.png").await;
    browser.assert_accessible("the lot view").await;
    browser
        .full_page_screenshot(1280, "lot-1280-full.png")
        .await;
    browser.viewport(1280, 800).await;

    // Keyboard only: on a fresh load the first Tab stop skips to the content; Enter on a
    // supplier opens its bid.
    c.refresh().await.unwrap();
    browser.heading_is("North").await;
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    assert_eq!(
        browser
            .until("focus", "return document.activeElement?.className || null")
            .await,
        json!("skip-link")
    );
    let winner_link = c.find(Locator::Css("tr[data-rank='1'] a")).await.unwrap();
    let winner_name = winner_link.text().await.unwrap();
    c.execute(
        "arguments[0].focus()",
        vec![serde_json::to_value(&winner_link).unwrap()],
    )
    .await
    .unwrap();
    winner_link
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    browser.heading_is(&winner_name).await;
    let bid_page = browser.text(".view").await;
    for section in [
        "Social value by policy outcome (PPN002)",
        "Social value by measure",
        "Scores by criterion",
        "Lowest qualified price",
    ] {
        assert!(
            bid_page.contains(section),
            "the bid view shows {section:?}: {bid_page}"
        );
    }
    browser
        .full_page_screenshot(1280, "bid-1280-full.png")
        .await;
    browser.assert_accessible("the bid view").await;
    browser.viewport(1280, 800).await;

    browser.click("a[data-nav='audit']").await;
    browser.heading_is("Audit log").await;
    assert!(browser.text(".verdict").await.contains("intact"));
    browser.screenshot("audit-1280x800.png").await;
    browser.assert_accessible("the audit view").await;

    browser.click("a[data-nav='report']").await;
    browser.heading_is("Social value report").await;
    assert!(
        browser.text(".view").await.contains("1 of 2"),
        "one of two central-government lots meets the minimum"
    );
    browser
        .full_page_screenshot(1280, "report-1280-full.png")
        .await;
    browser.assert_accessible("the report view").await;

    // A phone: nothing wider than the screen, the ranking still there.
    browser.viewport(390, 844).await;
    c.goto(&app.url(&format!(
        "/dashboard/#/tenders/{}/lots/{}",
        seeded.tender, seeded.lot
    )))
    .await
    .unwrap();
    browser.heading_is("North").await;
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        json!(0),
        "no sideways scrolling on a 390-px screen"
    );
    browser.screenshot("lot-390x844.png").await;
    browser.assert_accessible("the lot view on a phone").await;
    c.execute(
        "document.getElementById('s-ranking').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("lot-ranking-390x844.png").await;
    browser.full_page_screenshot(390, "lot-390-full.png").await;

    // Signing out forgets the token; an embedding platform hands one over in the fragment.
    browser.click(".sign-out").await;
    browser
        .until(
            "the sign-in form",
            "return !document.querySelector('.sign-in').hidden",
        )
        .await;
    let stored: Value = c
        .execute("return sessionStorage.length", Vec::new())
        .await
        .unwrap();
    assert_eq!(stored, json!(0));
    c.goto(&app.url(&format!("/dashboard/#token={token}&view=/audit")))
        .await
        .unwrap();
    browser.heading_is("Audit log").await;
    let url = c.current_url().await.unwrap();
    assert!(
        !url.as_str().contains(&token),
        "the token leaves the address bar: {url}"
    );

    // An intruder edits an event in the database: the auditor's view says where the chain breaks.
    crate::audit::tamper(
        app.database_url(),
        "UPDATE audit_events SET actor_sub = 'mallory' WHERE seq = 7",
    );
    browser.viewport(1280, 800).await;
    c.refresh().await.unwrap();
    browser.heading_is("Audit log").await;
    let verdict = browser.text(".verdict").await;
    assert!(
        verdict.contains("Tampered") && verdict.contains("event 7"),
        "{verdict}"
    );
    browser.screenshot("audit-tampered-1280x800.png").await;

    // A price edited in the database: the view names the bid, the field and both values.
    crate::audit::tamper(app.database_url(), "UPDATE bids SET price = '1'");
    c.refresh().await.unwrap();
    browser.heading_is("Audit log").await;
    let verification = browser
        .text("section[aria-labelledby='s-verification']")
        .await;
    assert!(
        verification.contains("Rows changed")
            && verification.contains("its stored /price is \"1\" but the ledger recorded"),
        "{verification}"
    );
    browser
        .assert_accessible("the audit view with changed rows")
        .await;

    let client = browser.client.clone();
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_missing_role_and_the_rate_limit_are_explained_in_words() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.rate_limit_per_minute = 1;
        // Whoami, then the tenders list and the report side by side: all three are spent by
        // the evaluator, so which of the two parallel calls is refused first cannot vary.
        config.rate_limit_burst = 3;
    })
    .await
    .unwrap();
    let browser = Browser::launch(&tools).await;
    browser.viewport(1280, 800).await;
    browser.client.goto(&app.url("/dashboard/")).await.unwrap();
    let status = "return document.querySelector('.status .notice-error')?.textContent ?? null";

    // An evaluator may not list tenders: said so, not shown as an empty list.
    browser.sign_in(&app.token(&[Role::Evaluator])).await;
    let refused = browser.until("the 403", status).await;
    assert!(
        refused.as_str().unwrap().contains("does not allow"),
        "{refused}"
    );

    // The budget is spent: the next sign-in is told to wait.
    browser.click(".sign-out").await;
    browser.sign_in(&app.token(&[Role::Commercial])).await;
    let limited = browser.until("the 429", status).await;
    let limited = limited.as_str().unwrap();
    assert!(
        limited.contains("Too many requests") && limited.contains("seconds"),
        "{limited}"
    );
    browser.screenshot("rate-limited-1280x800.png").await;

    let client = browser.client.clone();
    client.close().await.unwrap();
}
