//! Results of a stage kept from one run of the pipeline to the next, so that
//! `carebook serve` redoes only the work whose input changed.
//!
//! An entry is keyed by a name (a file's path) and remembers the input it was
//! computed from as an `Arc`. It is reused only while the stage sees the very
//! same `Arc` again: a file that is read again is a new value, even with the
//! same text, so a stale entry can never be mistaken for a fresh one (the
//! entry holds its input alive, so the address cannot be reused either). A
//! run keeps exactly the entries it used, so deleted files are forgotten.
//!
//! A one-off `carebook build` starts from an empty memo: every lookup misses
//! and every stage computes everything, through the same code.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// A 64-bit hash of `value`, to tell whether what an output is made from
/// changed between two runs of one process (not stable across versions).
pub fn fingerprint(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Outputs of one stage, by name, with the input each was computed from.
pub struct Memo<I, O> {
    entries: HashMap<String, (Arc<I>, O)>,
}

impl<I, O> Default for Memo<I, O> {
    fn default() -> Self {
        Memo {
            entries: HashMap::new(),
        }
    }
}

impl<I, O: Clone> Memo<I, O> {
    /// The output computed from `input` under `name`, if the input is the same value.
    pub fn get(&self, name: &str, input: &Arc<I>) -> Option<O> {
        let (seen, output) = self.entries.get(name)?;
        Arc::ptr_eq(seen, input).then(|| output.clone())
    }

    /// Adds or replaces one entry.
    pub fn insert(&mut self, name: String, input: Arc<I>, output: O) {
        self.entries.insert(name, (input, output));
    }

    /// Replaces the memo with this run's entries: what was not used is forgotten.
    pub fn keep(&mut self, used: impl IntoIterator<Item = (String, Arc<I>, O)>) {
        self.entries = used
            .into_iter()
            .map(|(name, input, output)| (name, (input, output)))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_only_the_same_input_value() {
        let text = Arc::new("a".to_string());
        let mut memo: Memo<String, u32> = Memo::default();
        memo.keep([("a.md".to_string(), text.clone(), 1)]);
        assert_eq!(memo.get("a.md", &text), Some(1));
        let same_text_read_again = Arc::new("a".to_string());
        assert_eq!(memo.get("a.md", &same_text_read_again), None);
        assert_eq!(memo.get("b.md", &text), None);
    }

    #[test]
    fn keeping_forgets_what_a_run_did_not_use() {
        let text = Arc::new(String::new());
        let mut memo: Memo<String, u32> = Memo::default();
        memo.keep([("a.md".to_string(), text.clone(), 1)]);
        memo.keep([("b.md".to_string(), text.clone(), 2)]);
        assert_eq!(memo.get("a.md", &text), None);
        assert_eq!(memo.get("b.md", &text), Some(2));
    }
}
