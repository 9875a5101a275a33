// Delivery of notifications to the outside: signed webhooks and email. The outbox and the decision of
// what to send live in src/processing/notify*.ts.
export * from './webhook.js'
export * from './email.js'
