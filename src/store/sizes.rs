//! The sizes the message writer's own connection cuts its batch statements to, so that each
//! statement is one of the few it keeps prepared, and the statements' texts in those sizes.

use std::collections::HashMap;

use super::batch::{insert_rows_sql, stored_keys_sql, take_seqs_sql, Marks};
use super::search_pending::pending_rows_sql;

/// `items` repeated at its end up to the next power of two, so that a statement over them is
/// one of the few kept prepared (see `KEPT_STATEMENTS` in `direct.rs`); for statements where
/// a repeated item changes nothing (a key looked up twice, a conversation's seqs given twice
/// alike).
pub(super) fn padded<T: Copy>(items: &[T]) -> Vec<T> {
    let mut padded = items.to_vec();
    if let Some(last) = items.last() {
        padded.resize(items.len().next_power_of_two(), *last);
    }
    padded
}

/// `items` in runs whose lengths are powers of two, longest first: the rows of one insert
/// statement each, so that every statement is one of the few kept prepared.
pub(super) fn runs<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let length = 1 << rest.len().ilog2();
        let (run, after) = rest.split_at(length);
        rest = after;
        Some(run)
    })
}

/// The statements whose text depends on a batch's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum SizedStatement {
    StoredKeys,
    TakeSeqs,
    InsertRows,
    PendingRows,
}

/// The texts of the statements that depend on a batch's size, built once for each size they
/// are cut to: building them again at every batch (a `format!` for each of hundreds of
/// marks) was about 2.5% of the server's samples at 500 msg/s.
#[derive(Default)]
pub(super) struct Texts(HashMap<(SizedStatement, usize), String>);

impl Texts {
    /// The text of `sized` over `n` items.
    pub(super) fn of(&mut self, sized: SizedStatement, n: usize) -> &str {
        self.0.entry((sized, n)).or_insert_with(|| {
            let marks = &mut Marks::new(true);
            match sized {
                SizedStatement::StoredKeys => stored_keys_sql(n, marks),
                SizedStatement::TakeSeqs => take_seqs_sql(n, marks),
                SizedStatement::InsertRows => insert_rows_sql(n, marks),
                SizedStatement::PendingRows => pending_rows_sql(n, marks),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::batch::{take_seqs_sql, Marks};
    use super::{padded, runs, SizedStatement, Texts};

    #[test]
    fn a_statements_text_is_built_once_for_each_size_as_the_batch_builds_it() {
        let mut texts = Texts::default();
        let first = texts.of(SizedStatement::TakeSeqs, 8).to_owned();
        assert_eq!(first, take_seqs_sql(8, &mut Marks::new(true)));
        let again: *const str = texts.of(SizedStatement::TakeSeqs, 8);
        let kept: *const str = texts.of(SizedStatement::TakeSeqs, 8);
        assert_eq!(again, kept, "the same text, not built again");
        assert_ne!(texts.of(SizedStatement::TakeSeqs, 16), first);
    }

    #[test]
    fn runs_cut_a_batch_into_powers_of_two_longest_first_and_keep_every_item() {
        let items: Vec<u32> = (0..203).collect();
        let lengths: Vec<usize> = runs(&items).map(<[u32]>::len).collect();
        assert_eq!(lengths, [128, 64, 8, 2, 1]);
        let joined: Vec<u32> = runs(&items).flatten().copied().collect();
        assert_eq!(joined, items);
        assert_eq!(runs(&[0u32; 0]).count(), 0);
    }

    #[test]
    fn padding_repeats_the_last_item_up_to_the_next_power_of_two() {
        assert_eq!(padded(&[1, 2, 3, 4, 5]), [1, 2, 3, 4, 5, 5, 5, 5]);
        assert_eq!(padded(&[7, 8]), [7, 8]);
        assert!(padded::<u8>(&[]).is_empty());
    }
}
