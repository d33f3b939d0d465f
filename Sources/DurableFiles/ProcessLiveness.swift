import Glibc

/// Whether a process id still names a running process, for cleaning up what dead processes
/// left behind (temp files, scratch folders) without ever touching a live one's.
package enum ProcessLiveness {
    /// True only when the kernel says no such process exists (`kill(pid, 0)` fails with ESRCH).
    /// Anything else — alive, alive but another user's (EPERM), a pid reused by a new process —
    /// counts as alive: a leftover kept too long is harmless, a live writer's file removed is not.
    package static func isDead(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
