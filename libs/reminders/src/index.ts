// Reminder policies (DOMAIN.md "Reminder policies", DESIGN.md §8): pure functions over a
// partnership's events. Scheduling on BullMQ builds on these.
export * from './reminder.policies';
export * from './reminder-settings';
export * from './reminder.events';
export * from './reminder.state';
export * from './reminder.schedule';
