//! The AWS flavour of the synthetic organisations, shared by
//! `examples/synth.rs --catalog aws` and `benches/compile.rs`: every 25th
//! policy also gets a cross-service read statement (`*:List*`, `*:Get*` or
//! `*:Describe*`), as read-only policies have.

/// The verb prefixes of the cross-service statements.
const CROSS_SERVICE: [&str; 3] = ["List", "Get", "Describe"];

/// `text`, a synthetic organisation, with a `*:Verb*` statement added to
/// every 25th policy.
pub fn cross_service(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 100);
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        let number = line
            .strip_prefix("policy P")
            .and_then(|rest| rest.strip_suffix(" {"))
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(p) = number.filter(|p| p % 25 == 0) {
            let verb = CROSS_SERVICE[(p / 25) % CROSS_SERVICE.len()];
            out.push_str(&format!("  allow *:{verb}*\n"));
        }
    }
    out
}
