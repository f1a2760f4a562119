// Package procid names a process so that a recorded PID is never mistaken
// for another process that got the same number later: PID, start time
// (field 22 of /proc/PID/stat) and the boot ID.
package procid
