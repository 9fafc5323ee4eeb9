import { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';

/** What an idle stream sends: an SSE comment (`: keep-alive`), which EventSource ignores. */
export const KEEP_ALIVE: MessageEvent = { comment: 'keep-alive' };

/**
 * `events` with a `: keep-alive` comment each time nothing was sent for `idleMs`
 * (SSE_KEEPALIVE_INTERVAL), so that a proxy or load balancer that cuts idle connections (nginx's
 * `proxy_read_timeout` and an AWS ALB both default to 60 s) keeps a quiet stream open. Ends,
 * fails and is unsubscribed with `events`; every `@Sse()` route returns its events through it.
 */
export function withKeepAlive(events: Observable<MessageEvent>, idleMs: number): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        subscriber.next(KEEP_ALIVE);
        arm();
      }, idleMs);
      // An open stream keeps its socket, and the socket the process; the timer need not.
      timer.unref();
    };
    arm();
    const subscription = events.subscribe({
      next: (event) => {
        subscriber.next(event);
        arm();
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      clearTimeout(timer);
      subscription.unsubscribe();
    };
  });
}
