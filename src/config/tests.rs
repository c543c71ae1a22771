// figment's Jail closures return its large error type by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]
use super::*;
use figment::Jail;

#[test]
fn documented_defaults_are_the_defaults_in_code() {
    Jail::expect_with(|jail| {
        for s in SETTINGS.iter().filter(|s| !s.default.starts_with('(')) {
            jail.set_env(s.env, s.default);
        }
        let from_docs = Config::load().expect("documented defaults load");
        let defaults = Config::default();
        assert_eq!(from_docs.bind, defaults.bind);
        assert_eq!(from_docs.database_url, defaults.database_url);
        assert_eq!(from_docs.db_pool_size, defaults.db_pool_size);
        assert_eq!(from_docs.db_timeout_ms, defaults.db_timeout_ms);
        assert_eq!(from_docs.migrate_on_start, defaults.migrate_on_start);
        assert_eq!(from_docs.jwt_audience, defaults.jwt_audience);
        assert_eq!(from_docs.jwt_issuer, defaults.jwt_issuer);
        assert_eq!(from_docs.jwt_max_ttl_secs, defaults.jwt_max_ttl_secs);
        assert_eq!(from_docs.max_body_bytes, defaults.max_body_bytes);
        assert_eq!(from_docs.request_timeout_ms, defaults.request_timeout_ms);
        assert_eq!(from_docs.work_memory_mib, defaults.work_memory_mib);
        assert_eq!(from_docs.work_memory_wait_ms, defaults.work_memory_wait_ms);
        assert_eq!(
            from_docs.rate_limit_per_minute,
            defaults.rate_limit_per_minute
        );
        assert_eq!(from_docs.rate_limit_burst, defaults.rate_limit_burst);
        assert_eq!(from_docs.log_format, defaults.log_format);
        assert_eq!(from_docs.env, defaults.env);
        assert_eq!(
            from_docs.shutdown_timeout_secs,
            defaults.shutdown_timeout_secs
        );
        Ok(())
    });
}

#[test]
fn every_field_has_a_documented_setting() {
    // A field added to Config without a row in SETTINGS would be undocumented.
    Jail::expect_with(|jail| {
        jail.create_file(
            "socval.toml",
            "bind = \"127.0.0.1:9\"\nunknown_setting = 1\n",
        )?;
        let err = Config::load().unwrap_err().to_string();
        assert!(err.contains("unknown_setting"), "{err}");
        Ok(())
    });
    let documented: Vec<String> = SETTINGS.iter().map(|s| s.env.to_string()).collect();
    for field in [
        "bind",
        "database_url",
        "db_pool_size",
        "db_timeout_ms",
        "migrate_on_start",
        "jwt_secret",
        "jwt_public_keys",
        "jwt_audience",
        "jwt_issuer",
        "jwt_max_ttl_secs",
        "max_body_bytes",
        "request_timeout_ms",
        "work_memory_mib",
        "work_memory_wait_ms",
        "rate_limit_per_minute",
        "rate_limit_burst",
        "cors_origins",
        "log_format",
        "env",
        "shutdown_timeout_secs",
        "bank_holidays_file",
    ] {
        assert!(
            documented.contains(&env_name(field)),
            "{field} undocumented"
        );
    }
}

#[test]
fn the_readme_table_lists_every_setting_with_its_default() {
    let readme = include_str!("../../README.md");
    for s in SETTINGS {
        let row = format!("| `{}` | `{}` | {} |", s.env, s.default, s.meaning);
        assert!(readme.contains(&row), "README.md lacks the row:\n{row}");
    }
}

#[test]
fn a_bad_value_names_the_environment_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("SOCVAL_MAX_BODY_BYTES", "lots");
        let err = Config::load().unwrap_err().to_string();
        assert!(err.contains("SOCVAL_MAX_BODY_BYTES"), "{err}");
        Ok(())
    });
}

#[test]
fn an_unknown_database_scheme_is_refused() {
    Jail::expect_with(|jail| {
        jail.set_env("DATABASE_URL", "mysql://localhost/socval");
        let err = Config::load().unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
        assert!(err.contains("sqlite://"), "{err}");
        Ok(())
    });
}

#[test]
fn the_toml_file_is_read_and_the_environment_wins() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "socval.toml",
            "bind = \"0.0.0.0:9000\"\njwt_audience = \"from-file\"\n",
        )?;
        jail.set_env("SOCVAL_JWT_AUDIENCE", "from-env");
        let config = Config::load().unwrap();
        assert_eq!(config.bind.port(), 9000);
        assert_eq!(config.jwt_audience, "from-env");
        Ok(())
    });
}

#[test]
fn a_misspelt_setting_is_refused_but_test_harness_variables_are_not_settings() {
    Jail::expect_with(|jail| {
        jail.set_env("SOCVAL_TEST_REQUIRE_BROWSER", "1");
        jail.set_env("SOCVAL_CONFIG", "socval.toml");
        jail.create_file("socval.toml", "")?;
        assert!(Config::load().is_ok());
        jail.set_env("SOCVAL_JWT_AUDIENSE", "typo");
        let err = Config::load().unwrap_err().to_string();
        assert!(err.contains("SOCVAL_JWT_AUDIENSE"), "{err}");
        Ok(())
    });
}

#[test]
fn production_refuses_the_development_secret_and_missing_keys() {
    Jail::expect_with(|jail| {
        jail.set_env("SOCVAL_ENV", "production");
        let config = Config::load().unwrap();
        assert_eq!(config.hs256_secret(), None);
        let err = config.check_for_serving().unwrap_err().to_string();
        assert!(err.contains("SOCVAL_JWT_SECRET"), "{err}");

        jail.set_env("SOCVAL_JWT_SECRET", DEVELOPMENT_JWT_SECRET);
        let err = Config::load().unwrap().check_for_serving().unwrap_err();
        assert!(err.to_string().contains("development secret"), "{err}");

        jail.set_env(
            "SOCVAL_JWT_SECRET",
            "a-production-secret-of-at-least-32-bytes",
        );
        // Production never signs the ledger with a key it generated itself.
        let err = Config::load().unwrap().check_for_serving().unwrap_err();
        assert!(
            err.to_string().contains("SOCVAL_AUDIT_SIGNING_KEY"),
            "{err}"
        );
        assert!(
            !Config::load().unwrap().audit_signing_key_path().1,
            "no key generated in production"
        );

        jail.set_env("SOCVAL_AUDIT_SIGNING_KEY", "/run/secrets/audit-key.pem");
        assert!(Config::load().unwrap().check_for_serving().is_ok());
        Ok(())
    });
}

#[test]
fn development_falls_back_to_the_development_secret() {
    let config = Config::default();
    assert!(config.uses_development_secret());
    assert!(config.check_for_serving().is_ok());
}

#[test]
fn a_bank_holiday_file_replaces_the_shipped_changes_and_a_bad_one_is_named() {
    use crate::catalogue::holidays::{Calendar, Region};
    Jail::expect_with(|jail| {
        jail.create_file(
            "holidays.json",
            r#"{"additions": [{"date": "2026-03-10", "title": "A one-off"}], "removals": []}"#,
        )?;
        jail.set_env("SOCVAL_BANK_HOLIDAYS_FILE", "holidays.json");
        let calendar = Config::load().unwrap().bank_holidays().unwrap();
        let tuesday = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        assert!(calendar.is_holiday(Region::Scotland, tuesday));
        assert!(!Calendar::shipped().is_holiday(Region::Scotland, tuesday));
        // The shipped one-offs are replaced, not kept: 19 September 2022 is no holiday here.
        let funeral = chrono::NaiveDate::from_ymd_opt(2022, 9, 19).unwrap();
        assert!(!calendar.is_holiday_anywhere(funeral));
        assert!(Calendar::shipped().is_holiday_anywhere(funeral));

        jail.set_env("SOCVAL_BANK_HOLIDAYS_FILE", "missing.json");
        let err = Config::load()
            .unwrap()
            .bank_holidays()
            .unwrap_err()
            .to_string();
        assert!(err.contains("SOCVAL_BANK_HOLIDAYS_FILE"), "{err}");
        Ok(())
    });
}

#[test]
fn a_short_secret_is_refused() {
    Jail::expect_with(|jail| {
        jail.set_env("SOCVAL_JWT_SECRET", "short");
        let err = Config::load().unwrap_err().to_string();
        assert!(err.contains("SOCVAL_JWT_SECRET"), "{err}");
        Ok(())
    });
}

#[test]
fn cors_origins_are_exact_origins_and_a_wildcard_is_refused() {
    let with = |origins: &str| Config {
        cors_origins: Some(origins.into()),
        ..Config::default()
    };
    assert_eq!(
        Config::default().cors_origins().unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        with("https://buyer.example, http://localhost:3000")
            .cors_origins()
            .unwrap(),
        ["https://buyer.example", "http://localhost:3000"]
    );
    for bad in [
        "*",
        "https://*.example",
        "buyer.example",
        "https://buyer.example/app",
    ] {
        let err = with(bad).cors_origins().unwrap_err().to_string();
        assert!(err.contains("SOCVAL_CORS_ORIGINS"), "{bad}: {err}");
    }
}
