/** Durable schedules: cron (with time zones), fixed intervals and one-shots that start workflows once per slot. */
export { ScheduleApi, scheduleApiFor } from './api.ts';
export { MISFIRE_GRACE_MS, QUEUE_CHECK_MS, SlotFirer, slotKey } from './fire.ts';
export { Scheduler, type SchedulerOptions } from './scheduler.ts';
export { MIN_INTERVAL_MS, normalizeSpec, type CatchUpPolicy, type NormalizedSpec, type OverlapPolicy, type ScheduleSpec } from './spec.ts';
export { ScheduleStore, type ScheduleView, type SlotOutcome, type StoredSchedule } from './store.ts';
export { firstSlot, latestDue, slotAfter } from './timing.ts';
