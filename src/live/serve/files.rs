//! The files of the last good build, looked up by the key a request names.

use std::path::PathBuf;

/// The files of the last good build.
pub(super) enum Files {
    /// The output folder. A failed build never touches it, so it always holds the last good site.
    Disk(PathBuf),
    /// A site rendered in memory (for tests).
    #[cfg(test)]
    Memory(crate::render::Output),
}

impl Files {
    pub(super) fn get(&self, key: &str) -> Option<Vec<u8>> {
        match self {
            Files::Disk(dir) => {
                let path = dir.join(key);
                // Staged files and the output marker are dotfiles; they are never part of the site.
                let hidden = key.split('/').any(|part| part.starts_with('.'));
                if hidden || !path.is_file() {
                    return None;
                }
                std::fs::read(path).ok()
            }
            #[cfg(test)]
            Files::Memory(output) => output.files.get(key).cloned(),
        }
    }

    pub(super) fn contains(&self, key: &str) -> bool {
        match self {
            Files::Disk(dir) => {
                !key.split('/').any(|part| part.starts_with('.')) && dir.join(key).is_file()
            }
            #[cfg(test)]
            Files::Memory(output) => output.files.contains_key(key),
        }
    }
}
