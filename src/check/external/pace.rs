//! Politeness: one request at a time to a host, and a pause between them.
//!
//! A [`Pace`] hands out [`Turn`]s. Taking a turn on a host waits until no
//! other request to that host is in flight and the pause since the last one
//! ended has passed; dropping the turn starts the next pause. The pause is
//! counted from the *end* of a request, so a slow server gets no more
//! requests than a fast one, and a host never sees two requests closer than
//! the interval, however the threads are scheduled.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Turns on every host, shared by all the checking threads.
pub struct Pace {
    interval: Duration,
    hosts: Mutex<HashMap<String, Host>>,
    changed: Condvar,
}

#[derive(Clone, Copy)]
struct Host {
    busy: bool,
    /// When the next request may start.
    free_at: Instant,
}

/// The right to send one request to a host; the host's pause starts when it is dropped.
pub struct Turn<'a> {
    pace: &'a Pace,
    host: String,
}

impl Pace {
    pub fn new(interval: Duration) -> Pace {
        Pace {
            interval,
            hosts: Mutex::new(HashMap::new()),
            changed: Condvar::new(),
        }
    }

    /// Waits for `host`'s turn.
    pub fn turn(&self, host: &str) -> Turn<'_> {
        let mut hosts = self.lock();
        loop {
            let now = Instant::now();
            let state = hosts.entry(host.to_string()).or_insert(Host {
                busy: false,
                free_at: now,
            });
            if !state.busy && state.free_at <= now {
                state.busy = true;
                return Turn {
                    pace: self,
                    host: host.to_string(),
                };
            }
            // Busy: wait to be told it is done. Pausing: wait out the pause
            // (another host's turn ending may wake us early; we just look again).
            let wait = if state.busy {
                self.interval.max(Duration::from_millis(100))
            } else {
                state.free_at - now
            };
            hosts = self
                .changed
                .wait_timeout(hosts, wait)
                .map_or_else(|poisoned| poisoned.into_inner().0, |(guard, _)| guard);
        }
    }

    /// The lock, even if a checking thread panicked while holding it: the
    /// map is only ever left in a consistent state.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Host>> {
        self.hosts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut hosts = self.pace.lock();
        hosts.insert(
            std::mem::take(&mut self.host),
            Host {
                busy: false,
                free_at: Instant::now() + self.pace.interval,
            },
        );
        drop(hosts);
        self.pace.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_on_one_host_are_an_interval_apart() {
        let pace = Pace::new(Duration::from_millis(60));
        let first_ended = {
            let _turn = pace.turn("e.org");
            Instant::now()
        };
        let _second = pace.turn("e.org");
        assert!(first_ended.elapsed() >= Duration::from_millis(60));
    }

    #[test]
    fn other_hosts_do_not_wait() {
        let pace = Pace::new(Duration::from_secs(60));
        drop(pace.turn("a.org"));
        let started = Instant::now();
        drop(pace.turn("b.org"));
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn a_host_is_never_asked_twice_at_once() {
        let pace = Pace::new(Duration::from_millis(20));
        let log = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    let _turn = pace.turn("e.org");
                    let start = Instant::now();
                    std::thread::sleep(Duration::from_millis(10));
                    log.lock().unwrap().push((start, Instant::now()));
                });
            }
        });
        let mut spans = log.into_inner().unwrap();
        spans.sort();
        for pair in spans.windows(2) {
            assert!(pair[1].0 >= pair[0].1 + Duration::from_millis(20));
        }
    }
}
