//! The sizes the message writer's own connection cuts its batch statements to, so that each
//! statement is one of the few it keeps prepared.

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

#[cfg(test)]
mod tests {
    use super::{padded, runs};

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
