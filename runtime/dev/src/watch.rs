//! Watching the workspace for edits.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

/// How long a burst of events (an editor's save: write, rename, metadata) may take.
const SETTLE: Duration = Duration::from_millis(30);

pub(crate) struct Watcher {
    root: PathBuf,
    events: mpsc::UnboundedReceiver<notify::Result<notify::Event>>,
    // Kept alive: dropping it stops the watching.
    _watcher: notify::RecommendedWatcher,
}

/// Whether a path is not a source the site is built from: the target directory, hidden
/// files and folders (`.git`, an editor's swap files), the data directory, and
/// `Cargo.lock`, which cargo itself rewrites while it builds (a dependency change is a
/// `Cargo.toml` change).
pub(crate) fn ignored(root: &Path, path: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else {
        return true;
    };
    inside.components().any(|part| {
        let part = part.as_os_str().to_string_lossy();
        part == "target"
            || part == "data"
            || part == "Cargo.lock"
            || part.starts_with('.')
            || part.ends_with('~')
    })
}

impl Watcher {
    pub(crate) fn start(root: &Path) -> Result<Self, String> {
        let (send, events) = mpsc::unbounded_channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = send.send(event);
        })
        .map_err(|e| format!("cannot watch the sources: {e}"))?;
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        Ok(Self {
            root: root.to_path_buf(),
            events,
            _watcher: watcher,
        })
    }

    /// The source files changed by the next burst of edits.
    pub(crate) async fn next_change(&mut self) -> Vec<PathBuf> {
        loop {
            let mut paths = Vec::new();
            let Some(first) = self.events.recv().await else {
                // The watcher is gone: nothing will ever change again.
                return std::future::pending().await;
            };
            self.collect(first, &mut paths);
            while let Ok(Some(event)) = tokio::time::timeout(SETTLE, self.events.recv()).await {
                self.collect(event, &mut paths);
            }
            if !paths.is_empty() {
                return paths;
            }
        }
    }

    fn collect(&self, event: notify::Result<notify::Event>, paths: &mut Vec<PathBuf>) {
        let Ok(event) = event else { return };
        if event.kind.is_access() {
            return;
        }
        for path in event.paths {
            if !ignored(&self.root, &path) && !path.is_dir() && !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_outputs_and_hidden_files_are_not_sources() {
        let root = Path::new("/w");
        assert!(ignored(root, Path::new("/w/target/debug/site")));
        assert!(ignored(root, Path::new("/w/site/.page.rs.swp")));
        assert!(ignored(root, Path::new("/w/.git/index")));
        assert!(ignored(root, Path::new("/elsewhere/x.rs")));
        assert!(ignored(root, Path::new("/w/Cargo.lock")));
        assert!(!ignored(root, Path::new("/w/site/src/pages/notes.rs")));
        assert!(!ignored(root, Path::new("/w/site/static/site.css")));
    }
}
