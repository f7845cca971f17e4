//! Signed tables through the CLI (issue 18): `keygen`, `compile --sign`,
//! `verify --key | --digest`, `inspect`'s digest, and the golden signed table.

use std::path::{Path, PathBuf};

use verdict_runtime::{SigningKey, Table, Verifier, VerifyingKey, FORMAT_VERSION};

use crate::cli::{run, TempDir};
use crate::golden::{answers_as_recorded, tables_dir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/test_data/keys")
}

const ORG: &str = "policy Read { allow chime:List*, chime:Get* }\n\
                   policy Admin { allow chime:*  deny chime:DeleteAccount }\n\
                   user alice { attach Admin }\nuser bob { attach Read }\n";

/// A fresh key pair made by `verdict keygen`, and ORG compiled and signed with it.
fn signed() -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new();
    let key = dir.path("k");
    let out = run(&["keygen", "-o", s(&key)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    let out = run(&["compile", s(&src), "-o", s(&table), "--sign", s(&key), "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, key, table)
}

#[test]
fn keygen_writes_a_private_key_only_we_can_read_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, key, _) = signed();
    let public = dir.path("k.pub");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let private = SigningKey::from_key_file(&std::fs::read(&key).unwrap()).unwrap();
    let verifying = VerifyingKey::from_key_file(&std::fs::read(&public).unwrap()).unwrap();
    assert_eq!(private.verifying_key(), verifying);
    let before = std::fs::read(&key).unwrap();
    let out = run(&["keygen", "-o", s(&key)]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert_eq!(std::fs::read(&key).unwrap(), before);
    // A link planted at the key's name (even a dangling one) is refused, its
    // target untouched.
    let victim = dir.write("victim", "precious\n");
    let planted = dir.path("planted");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    assert_eq!(run(&["keygen", "-o", s(&planted)]).status, 2);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let dangling = dir.path("dangling");
    std::os::unix::fs::symlink(dir.path("nowhere"), &dangling).unwrap();
    assert_eq!(run(&["keygen", "-o", s(&dangling)]).status, 2);
    assert!(!dir.path("nowhere").exists());
    // Two runs give two different keys.
    let other = dir.path("other");
    assert_eq!(run(&["keygen", "-o", s(&other)]).status, 0);
    assert_ne!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn a_signed_table_verifies_by_key_and_by_digest() {
    let (dir, key, table) = signed();
    let public = dir.path("k.pub");
    let out = run(&["verify", s(&table), "--key", s(&public)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("verified "), "{}", out.stdout);
    let out = run(&["inspect", "--show", "summary", s(&table)]);
    assert_eq!(out.status, 0);
    let digest = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("digest: "))
        .unwrap()
        .to_string();
    assert!(
        out.stdout.contains("signature: ed25519 by key sha256:"),
        "{}",
        out.stdout
    );
    let out = run(&["verify", s(&table), "--digest", &digest]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    // Checks answer from a signed table as from an unsigned one.
    let out = run(&["check", s(&table), "user/alice", "chime:DeleteAccount"]);
    assert_eq!((out.status, out.stdout.as_str()), (1, "deny\n"));
    let _ = key;
}

#[test]
fn tampered_unsigned_and_foreign_tables_are_not_verified() {
    let (dir, _, table) = signed();
    let public = dir.path("k.pub");
    let bytes = std::fs::read(&table).unwrap();
    let verify = |path: &Path| run(&["verify", s(path), "--key", s(&public)]);

    let mut tampered = bytes.clone();
    tampered[bytes.len() / 2] ^= 0x01;
    let path = dir.path("tampered.vdt");
    std::fs::write(&path, &tampered).unwrap();
    let out = verify(&path);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("table signature does not verify"),
        "{}",
        out.stderr
    );

    let src = dir.write("org.vp", ORG);
    let unsigned = dir.path("unsigned.vdt");
    assert_eq!(
        run(&["compile", s(&src), "-o", s(&unsigned), "-q"]).status,
        0
    );
    let out = verify(&unsigned);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("table is not signed"), "{}", out.stderr);

    let other_key = dir.path("other");
    assert_eq!(run(&["keygen", "-o", s(&other_key)]).status, 0);
    let foreign = dir.path("foreign.vdt");
    let out = run(&[
        "compile",
        s(&src),
        "-o",
        s(&foreign),
        "--sign",
        s(&other_key),
        "-q",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = verify(&foreign);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("signed by another key"),
        "{}",
        out.stderr
    );

    let zero = "0".repeat(64);
    let out = run(&["verify", s(&table), "--digest", &zero]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("table digest mismatch"),
        "{}",
        out.stderr
    );
}

/// `check --key PUB | --digest SHA256` uses a table only once it verified:
/// a tampered, unsigned or foreign table is an error (exit 2), in single and
/// batch mode, and nothing is answered from it.
#[test]
fn check_with_a_key_or_digest_answers_only_from_a_verified_table() {
    use crate::cli::run_with_stdin;
    let (dir, _, table) = signed();
    let public = dir.path("k.pub");
    let digest = run(&["inspect", "--show", "summary", s(&table)])
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("digest: "))
        .unwrap()
        .to_string();
    let check = |path: &Path, how: &[&str]| {
        let mut argv = vec!["check", s(path), "user/alice", "chime:CreateAccount"];
        argv.extend_from_slice(how);
        run(&argv)
    };
    let by_key = ["--key", s(&public)];
    let by_digest = ["--digest", digest.as_str()];
    for how in [&by_key[..], &by_digest[..]] {
        let out = check(&table, how);
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (0, "allow\n"),
            "{}",
            out.stderr
        );
    }

    let mut tampered = std::fs::read(&table).unwrap();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    let tampered_path = dir.path("tampered.vdt");
    std::fs::write(&tampered_path, &tampered).unwrap();
    let src = dir.write("org.vp", ORG);
    let unsigned = dir.path("unsigned.vdt");
    assert_eq!(
        run(&["compile", s(&src), "-o", s(&unsigned), "-q"]).status,
        0
    );
    let wrong_digest = format!("{:0>64}", "1");
    for (path, how) in [
        (&tampered_path, &by_key[..]),
        (&tampered_path, &by_digest[..]),
        (&unsigned, &by_key[..]),
        (&table, &["--digest", wrong_digest.as_str()][..]),
    ] {
        let out = check(path, how);
        assert_eq!(out.status, 2, "{how:?}: {}", out.stderr);
        assert_eq!(out.stdout, "");
        assert!(out.stderr.contains("is not verified"), "{}", out.stderr);
        let mut argv = vec!["check", s(path), "--batch", "-"];
        argv.extend_from_slice(how);
        let out = run_with_stdin(
            &argv,
            "{\"principal\":\"user/alice\",\"action\":\"chime:CreateAccount\"}\n",
        );
        assert_eq!((out.status, out.stdout.as_str()), (2, ""), "{}", out.stderr);
    }
    // Both at once is a usage error.
    let mut both = by_key.to_vec();
    both.extend_from_slice(&by_digest);
    assert_eq!(check(&table, &both).status, 2);
}

#[test]
fn bad_keys_and_usage_are_errors() {
    let (dir, key, table) = signed();
    let not_a_key = dir.write(
        "bad.pub",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    );
    for args in [
        vec!["verify", s(&table)],
        vec!["verify", s(&table), "--key", s(&not_a_key)],
        vec!["verify", s(&table), "--key", "/dev/zero"],
        vec!["verify", s(&table), "--digest", "12"],
        vec![
            "verify",
            s(&dir.path("missing.vdt")),
            "--key",
            s(&not_a_key),
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status, 2, "{args:?}: {}", out.stderr);
    }
    // A public key where the private one is expected: nothing is compiled or written.
    let src = dir.write("org.vp", ORG);
    let out_path = dir.path("new.vdt");
    let public = dir.path("k.pub");
    let out = run(&["compile", s(&src), "-o", s(&out_path), "--sign", s(&public)]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("cannot read key"), "{}", out.stderr);
    assert!(!out_path.exists());
    let _ = key;
}

/// The golden signed table: the golden table of this format version signed
/// with the committed test key (RFC 8032's first test seed). It verifies,
/// answers as recorded, and signing the golden table again gives it byte for
/// byte (Ed25519 signatures are deterministic).
#[test]
fn the_golden_signed_table_verifies_and_is_reproduced() {
    let dir = tables_dir().join(format!("v{FORMAT_VERSION}"));
    let public =
        VerifyingKey::from_key_file(&std::fs::read(keys_dir().join("test.key.pub")).unwrap())
            .unwrap();
    let signed = Table::open_verified(dir.join("chime-org.signed.bin"), &Verifier::Key(public))
        .expect("the golden signed table verifies");
    let recorded = std::fs::read_to_string(dir.join("chime-org.expected")).unwrap();
    let n_recorded = recorded
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .count();
    assert!(n_recorded > 100);
    assert_eq!(answers_as_recorded(&dir, &signed), n_recorded);
    let key =
        SigningKey::from_key_file(&std::fs::read(keys_dir().join("test.key")).unwrap()).unwrap();
    let plain = Table::open(dir.join("chime-org.bin")).unwrap();
    assert!(plain.to_signed_bytes(&key) == signed.to_bytes());
    let out = run(&[
        "verify",
        s(&dir.join("chime-org.signed.bin")),
        "--key",
        s(&keys_dir().join("test.key.pub")),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
}
