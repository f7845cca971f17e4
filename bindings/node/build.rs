//! Link flags of a Node addon (napi-build sets what each platform needs).

fn main() {
    napi_build::setup();
}
