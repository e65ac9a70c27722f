// Reminder policies (DOMAIN.md "Reminder policies", DESIGN.md §8): pure functions over a
// partnership's events, and their scheduling on BullMQ (scheduler, issuer, e-mails).
export * from './reminder.policies';
export * from './reminder-settings';
export * from './reminder.events';
export * from './reminder.state';
export * from './reminder.schedule';
export * from './delivery/reminder-audience';
export * from './delivery/recipient-routes';
export * from './delivery/recipient-resolver';
export * from './delivery/reminder-mailer';
export * from './scheduling/reminder-config';
export * from './scheduling/reminder-jobs';
export * from './scheduling/reminder-state.store';
export * from './scheduling/reminder-scheduler';
export * from './scheduling/reminder-issuer';
export * from './scheduling/reminder-job-handler';
export * from './scheduling/reminders.view';
export * from './nest/reminder-store.module';
export * from './nest/reminders.module';
