//! Build script: embeds the vendored Mermaid script compressed.
//!
//! `themes/default/vendor/mermaid.min.js` is 5.5 MB, a sixth of the release
//! binary if embedded as it is; raw deflate makes it about a quarter of
//! that. The file stays in the repository as Mermaid ships it (diffable
//! against upstream); `render` inflates it when a site has a diagram.

use std::path::PathBuf;

const MERMAID: &str = "themes/default/vendor/mermaid.min.js";

fn main() {
    println!("cargo::rerun-if-changed={MERMAID}");
    let plain = std::fs::read(MERMAID).unwrap_or_else(|e| panic!("cannot read {MERMAID}: {e}"));
    let mut buffer = vec![0; zlib_rs::compress_bound(plain.len())];
    let config = zlib_rs::DeflateConfig {
        window_bits: -15,
        ..zlib_rs::DeflateConfig::new(9)
    };
    let (packed, code) = zlib_rs::compress_slice(&mut buffer, &plain, config);
    assert!(
        matches!(code, zlib_rs::ReturnCode::Ok),
        "cannot deflate {MERMAID}: {code:?}"
    );
    // The plain length first (8 bytes, little-endian), so the reader can
    // size its buffer exactly and check it got every byte back.
    let mut embedded = (plain.len() as u64).to_le_bytes().to_vec();
    embedded.extend_from_slice(packed);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("mermaid.min.js.deflate"), embedded)
        .unwrap_or_else(|e| panic!("cannot write the deflated {MERMAID}: {e}"));
}
