//! Golden tables protect the wire format: every committed table still loads
//! and answers as it did, and the current version's tables are reproduced
//! byte for byte from their sources. See tests/test_data/tables/README.md.

use std::path::{Path, PathBuf};

use verdict_compiler::{compile, Config, FileLoader, Input};
use verdict_runtime::{Table, FORMAT_VERSION};

fn tables_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/test_data/tables")
}

/// Reads files relative to a folder, as the CLI would.
struct DirLoader;

impl FileLoader for DirLoader {
    fn load(&mut self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

#[test]
fn golden_tables_load_and_answer_as_recorded() {
    let v1 = tables_dir().join("v1");
    let table = Table::open(v1.join("chime-org.bin")).expect("golden v1 table loads");
    assert_eq!(table.format_version(), 1);
    let expected = std::fs::read_to_string(v1.join("chime-org.expected")).unwrap();
    let mut n = 0;
    for line in expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let parts: Vec<&str> = line.split(' ').collect();
        let [principal, action, decision] = parts[..] else {
            panic!("bad line {line:?}")
        };
        assert_eq!(
            table.check(principal, action).unwrap().to_string(),
            decision,
            "{line}"
        );
        n += 1;
    }
    assert_eq!(n, 90);
}

#[test]
fn current_version_tables_are_reproduced_byte_for_byte() {
    let dir = tables_dir().join(format!("v{FORMAT_VERSION}"));
    let source = dir.join("src/chime-org.vp");
    let out = compile(
        &[Input::auto(source.to_str().unwrap())],
        &Config::default(),
        &mut DirLoader,
    );
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let golden = std::fs::read(dir.join("chime-org.bin")).unwrap();
    assert!(
        out.table.unwrap().to_bytes() == golden,
        "compiling the golden sources gave different bytes"
    );
}
