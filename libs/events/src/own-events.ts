import { CloudEvent } from './cloud-event';

/**
 * Whether `event` is about `userId`'s own things: every domain event names the user it concerns
 * in `data.userId` (a token's owner, a family's, a number's, a Vinted session's). A vendor's
 * redemption is its customer's event, not the vendor's.
 */
export function concernsUser(event: CloudEvent, userId: number): boolean {
  return (event.data as { userId?: unknown }).userId === userId;
}
