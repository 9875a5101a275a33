// A SandboxClock whose time runs `speed` times faster than the wall clock.
import type { SandboxClock } from '../types.js'

export function createSpeedClock(speed = 1, start: Date = new Date()): SandboxClock {
  const realStart = Date.now()
  return {
    speed,
    now: () => new Date(start.getTime() + (Date.now() - realStart) * speed),
    sleep: (seconds: number) =>
      new Promise((resolve) => setTimeout(resolve, Math.max(0, (seconds * 1000) / speed))),
  }
}
