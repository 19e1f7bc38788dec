//! Helpers shared by the pipelines' unit tests.

use std::path::PathBuf;

/// A temporary directory holding one file `name` with `text`. Keep the directory alive while
/// the file is in use; it is removed when dropped.
pub(crate) fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("a writable temporary file");
    (dir, path)
}
