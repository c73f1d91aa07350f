//! Deep parse trees. PostgreSQL accepts expressions nested hundreds of levels deep (`a || b
//! || …` is one level per operator); reading them recurses as deep in prost's decoder
//! (built with `no-recursion-limit`), in libpg_query's deparser, in our normalizer, and in
//! dropping the tree. Every public entry point of this crate runs its work through
//! [`deep`], on a thread with a large stack (reserved, not committed: untouched pages cost
//! nothing). A real thread rather than a stack switched in place, because libpg_query sizes
//! its own depth check (`max_stack_depth`, 2 MB at most, as PostgreSQL's default) from the
//! thread's stack bounds.

use std::cell::Cell;

/// The stack of the thread: thousands of expression levels in a debug build.
const STACK: usize = 256 << 20;

thread_local! {
    static ON_DEEP_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Run `f` on a thread with a [`STACK`]-sized stack, and wait for it; a panic in `f` is
/// resumed in the caller. Nested calls (and calls when no thread can be started) run in
/// place.
pub(crate) fn deep<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if ON_DEEP_STACK.with(Cell::get) {
        return f();
    }
    let mut slot = Some(f);
    let out = std::thread::scope(|s| {
        let slot = &mut slot;
        let spawned = std::thread::Builder::new()
            .name("shale-sql".into())
            .stack_size(STACK)
            .spawn_scoped(s, move || {
                ON_DEEP_STACK.with(|c| c.set(true));
                slot.take().map(|f| f())
            });
        spawned.ok().map(|h| match h.join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    });
    match out.flatten() {
        Some(v) => v,
        None => (slot.take().expect("not run when the thread did not start"))(),
    }
}

#[cfg(test)]
mod tests {
    use super::deep;

    fn depth(n: u32) -> u32 {
        let pad = std::hint::black_box([0u8; 512]);
        if n == 0 {
            pad[0] as u32
        } else {
            depth(n - 1) + 1
        }
    }

    #[test]
    fn runs_deep_recursion_and_nests_in_place() {
        // 100,000 frames of over 512 bytes: far beyond a test thread's 2 MB.
        assert_eq!(deep(|| depth(100_000)), 100_000);
        assert_eq!(deep(|| deep(|| 7)), 7);
    }

    #[test]
    fn resumes_a_panic_in_the_caller() {
        let r = std::panic::catch_unwind(|| deep(|| panic!("boom")));
        assert!(r.is_err());
    }
}
