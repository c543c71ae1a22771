//! A Python with the PyPI packages a test checks our output against (`jsonschema` for the OCDS
//! schemas, `govuk-bank-holidays` for gov.uk's calendar): one venv under
//! `$HOME/.cache/socval/test-venv`, created and filled on first use. It fails loudly when python3
//! or an install is unavailable: a check that cannot run must not pass.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The packages every test may import, pinned so each run checks against the same data.
const PACKAGES: [(&str, &str); 2] = [
    ("jsonschema", "jsonschema==4.23.0"),
    ("govuk_bank_holidays", "govuk-bank-holidays==0.19"),
];

/// The venv's python, with every package of [`PACKAGES`] importable.
pub fn python() -> PathBuf {
    // Tests run in parallel: one of them installs while the others wait.
    static INSTALL: Mutex<()> = Mutex::new(());
    let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let home = std::env::var("HOME").expect("HOME is set");
    let venv = PathBuf::from(home).join(".cache/socval/test-venv");
    let python = venv.join("bin/python");
    if !imports_all(&python) {
        let created = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap_or_else(|e| panic!("python3 is needed by this test: {e}"));
        assert!(
            created.success(),
            "python3 -m venv {} failed",
            venv.display()
        );
        let installed = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(PACKAGES.map(|(_, requirement)| requirement))
            .status()
            .expect("pip runs");
        assert!(
            installed.success() && imports_all(&python),
            "could not install {:?} into {}",
            PACKAGES.map(|(_, r)| r),
            venv.display()
        );
    }
    python
}

fn imports_all(python: &Path) -> bool {
    let imports = PACKAGES
        .map(|(module, _)| format!("import {module}"))
        .join("; ");
    Command::new(python)
        .args(["-c", &imports])
        .status()
        .is_ok_and(|s| s.success())
}
