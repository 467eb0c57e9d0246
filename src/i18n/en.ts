/** English catalog; the source of the `Catalog` type every other locale must satisfy. */
export const en = {
  launcherLabel: 'Open help',
  launcherUnread: 'Open help, {count} new',
  draftComplaint: 'I would like to file a complaint.',
  draftComplaintOrder: 'I would like to file a complaint about order {order}.',
  draftRefund: 'I would like a refund for order {order}.',
  draftItems: 'Items: {items}.',
  title: 'Help',
  close: 'Close help',
  greeting: 'Hi! Ask us anything about your order, delivery, refunds or returns.',
  inputLabel: 'Message',
  inputPlaceholder: 'Type your question…',
  send: 'Send',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  retry: 'Retry',
  edit: 'Edit',
  discard: 'Discard',
  you: 'You',
  bot: 'Assistant',
  agent: 'Agent',
  system: 'Notice',
  loading: 'Loading…',
  notConfigured: 'Help is not set up on this site yet.',
  notConfiguredHint: 'The site key is missing or unknown. If you run this shop, check the data-site attribute of the Kefu script tag.',
  offline: 'You are offline. Messages will be sent when the connection returns.',
  notDurable: 'This browser does not let us save unsent messages: keep this page open until they are sent.',
  errorNetwork: 'We could not reach the help service. Your message is kept and will be sent automatically.',
  errorStart: 'We could not reach the help service. Check your connection and try again.',
  errorGeneric: 'Something went wrong. Please try again.',
  messages: 'Conversation',
} as const;

export type MessageKey = keyof typeof en;
/** A complete translation: a missing or extra key is a type error. */
export type Catalog = { readonly [K in MessageKey]: string };
