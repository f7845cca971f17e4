//! Build information for `verdict version`: the compiler's version, the
//! target triple and the cargo profile, as compile-time environment
//! variables (`VERDICT_BUILD_RUSTC`, `VERDICT_BUILD_TARGET`,
//! `VERDICT_BUILD_PROFILE`).

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=VERDICT_BUILD_RUSTC={version}");
    println!("cargo:rustc-env=VERDICT_BUILD_TARGET={}", var("TARGET"));
    println!("cargo:rustc-env=VERDICT_BUILD_PROFILE={}", var("PROFILE"));
    println!("cargo:rerun-if-changed=build.rs");
}
